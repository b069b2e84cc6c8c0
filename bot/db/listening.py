"""The listening exercise: who speaks, who listens, where it stands, and every turn, sealed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.models import ListeningExercise, ListeningTurn, table_of

EXERCISES = table_of(ListeningExercise)
TURNS = table_of(ListeningTurn)

# Where a listening exercise stands. It begins when the speaker sends (their draft is a
# private reflection until then). LISTENING: the listener has the words and owes a
# reflection. ANSWERING: the speaker has the reflection and owes "heard / partly / not
# yet". PAUSED keeps the status to go back to. HEARD and ENDED are final.
LISTENING, ANSWERING, PAUSED = "listening", "answering", "paused"
HEARD, ENDED = "heard", "ended"
OPEN_STATUSES = (LISTENING, ANSWERING, PAUSED)
# What a listening turn is: a part of what the speaker shares, the listener's
# reflection, or the speaker's word on what was missed. A pause (with the words sent
# with it, if any) and the other partner's one gentle ask to resume are turns too, so
# "asked during this pause" is read from the rows.
SHARE, REFLECTION, MISSED = "share", "reflection", "missed"
PAUSE, ASK = "pause", "ask"


@dataclass(frozen=True)
class ExerciseRecord:
    id: int
    couple_id: int
    speaker_id: int
    listener_id: int
    status: str
    attempt: int
    paused_by: int | None
    resume_status: str | None
    created_at: datetime
    updated_at: datetime

    def other(self, user_id: int) -> int:
        return self.listener_id if user_id == self.speaker_id else self.speaker_id


@dataclass(frozen=True)
class TurnRecord:
    id: int
    author_id: int
    kind: str
    attempt: int
    text: str
    created_at: datetime


class Listening:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    async def start(self, couple_id: int, speaker_id: int, listener_id: int, now: datetime) -> int:
        result = await self._db.execute(
            EXERCISES.insert()
            .values(
                couple_id=couple_id,
                speaker_id=speaker_id,
                listener_id=listener_id,
                status=LISTENING,
                attempt=1,
                created_at=now,
                updated_at=now,
            )
            .returning(EXERCISES.c.id)
        )
        return result.scalar_one()

    async def get(self, exercise_id: int) -> ExerciseRecord | None:
        row = (
            await self._db.execute(select(EXERCISES).where(EXERCISES.c.id == exercise_id))
        ).first()
        return None if row is None else ExerciseRecord(**row._mapping)

    async def current(self, couple_id: int) -> ExerciseRecord | None:
        """The couple's newest exercise, finished or not."""
        row = (
            await self._db.execute(
                select(EXERCISES)
                .where(EXERCISES.c.couple_id == couple_id)
                .order_by(EXERCISES.c.id.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else ExerciseRecord(**row._mapping)

    async def of_user(self, user_id: int) -> list[ExerciseRecord]:
        rows = await self._db.execute(
            select(EXERCISES)
            .where((EXERCISES.c.speaker_id == user_id) | (EXERCISES.c.listener_id == user_id))
            .order_by(EXERCISES.c.id)
        )
        return [ExerciseRecord(**row._mapping) for row in rows.all()]

    async def move(
        self, exercise: ExerciseRecord, status: str, now: datetime, **values: Any
    ) -> bool:
        """Moves the exercise on only if it still stands where the caller saw it.

        Two partners pressing at once: one wins, the other is told it moved on.
        """
        result = await self._db.execute(
            update(EXERCISES)
            .where(
                EXERCISES.c.id == exercise.id,
                EXERCISES.c.status == exercise.status,
                EXERCISES.c.attempt == exercise.attempt,
            )
            .values(status=status, updated_at=now, **values)
        )
        return bool(result.rowcount)

    async def end_for_couple(self, couple_id: int, now: datetime) -> None:
        await self._db.execute(
            update(EXERCISES)
            .where(EXERCISES.c.couple_id == couple_id, EXERCISES.c.status.in_(OPEN_STATUSES))
            .values(status=ENDED, updated_at=now)
        )

    async def add_turn(
        self, exercise_id: int, author_id: int, kind: str, attempt: int, text: str, now: datetime
    ) -> None:
        await self._db.execute(
            TURNS.insert().values(
                exercise_id=exercise_id,
                author_id=author_id,
                kind=kind,
                attempt=attempt,
                text_sealed=self._vault.seal(text),
                created_at=now,
            )
        )

    async def turns(
        self, exercise_id: int, kind: str | None = None, attempt: int | None = None
    ) -> list[TurnRecord]:
        query = select(TURNS).where(TURNS.c.exercise_id == exercise_id)
        if kind is not None:
            query = query.where(TURNS.c.kind == kind)
        if attempt is not None:
            query = query.where(TURNS.c.attempt == attempt)
        rows = await self._db.execute(query.order_by(TURNS.c.id))
        return [
            TurnRecord(
                row.id,
                row.author_id,
                row.kind,
                row.attempt,
                self._vault.open(row.text_sealed),
                row.created_at,
            )
            for row in rows.all()
        ]
