"""Private reflections: what one partner wrote for a repair step, sealed.

Reading a reflection never shares it: sharing is a separate, explicit step taken by the
effects, recorded in ``shared_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.models import Reflection, table_of

REFLECTIONS = table_of(Reflection)


@dataclass(frozen=True)
class ReflectionRecord:
    id: int
    user_id: int
    couple_id: int | None
    kind: str
    answers: dict[str, Any]
    reveal: str | None
    shared_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Reflections:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    def _record(self, row) -> ReflectionRecord:
        return ReflectionRecord(
            row.id,
            row.user_id,
            row.couple_id,
            row.kind,
            self._vault.open(row.answers_sealed),
            row.reveal,
            row.shared_at,
            row.created_at,
            row.updated_at,
        )

    async def add(
        self,
        user_id: int,
        kind: str,
        answers: dict[str, Any],
        now: datetime,
        couple_id: int | None = None,
    ) -> int:
        result = await self._db.execute(
            REFLECTIONS.insert()
            .values(
                user_id=user_id,
                couple_id=couple_id,
                kind=kind,
                answers_sealed=self._vault.seal(answers),
                created_at=now,
                updated_at=now,
            )
            .returning(REFLECTIONS.c.id)
        )
        return result.scalar_one()

    async def get(self, reflection_id: int) -> ReflectionRecord | None:
        row = (
            await self._db.execute(select(REFLECTIONS).where(REFLECTIONS.c.id == reflection_id))
        ).first()
        return None if row is None else self._record(row)

    async def latest(
        self, user_id: int, kind: str, couple_id: int | None = None
    ) -> ReflectionRecord | None:
        """The newest reflection of *kind* (of that couple, if one is named)."""
        query = select(REFLECTIONS).where(
            REFLECTIONS.c.user_id == user_id, REFLECTIONS.c.kind == kind
        )
        if couple_id is not None:
            query = query.where(REFLECTIONS.c.couple_id == couple_id)
        row = (await self._db.execute(query.order_by(REFLECTIONS.c.id.desc()).limit(1))).first()
        return None if row is None else self._record(row)

    async def of_user(self, user_id: int, kinds: tuple[str, ...] = ()) -> list[ReflectionRecord]:
        """This user's reflections (of the given kinds, if any), oldest first."""
        query = select(REFLECTIONS).where(REFLECTIONS.c.user_id == user_id)
        if kinds:
            query = query.where(REFLECTIONS.c.kind.in_(kinds))
        rows = await self._db.execute(query.order_by(REFLECTIONS.c.id))
        return [self._record(row) for row in rows.all()]

    async def counts(self, user_id: int, kinds: tuple[str, ...]) -> dict[str, int]:
        """How many reflections of each kind this user has, without opening any."""
        rows = await self._db.execute(
            select(REFLECTIONS.c.kind, func.count())
            .where(REFLECTIONS.c.user_id == user_id, REFLECTIONS.c.kind.in_(kinds))
            .group_by(REFLECTIONS.c.kind)
        )
        return {kind: count for kind, count in rows.all()}

    async def of_couple(self, couple_id: int, kind: str) -> list[ReflectionRecord]:
        rows = await self._db.execute(
            select(REFLECTIONS)
            .where(REFLECTIONS.c.couple_id == couple_id, REFLECTIONS.c.kind == kind)
            .order_by(REFLECTIONS.c.id)
        )
        return [self._record(row) for row in rows.all()]

    async def replace_answers(
        self, reflection_id: int, answers: dict[str, Any], now: datetime
    ) -> None:
        await self._db.execute(
            update(REFLECTIONS)
            .where(REFLECTIONS.c.id == reflection_id)
            .values(answers_sealed=self._vault.seal(answers), updated_at=now)
        )

    async def choose_reveal(self, reflection_id: int, choice: str, now: datetime) -> None:
        await self._db.execute(
            update(REFLECTIONS)
            .where(REFLECTIONS.c.id == reflection_id)
            .values(reveal=choice, updated_at=now)
        )

    async def mark_shared(self, reflection_id: int, now: datetime) -> bool:
        """Records the confirmed share; False if it had already been shared."""
        result = await self._db.execute(
            update(REFLECTIONS)
            .where(REFLECTIONS.c.id == reflection_id, REFLECTIONS.c.shared_at.is_(None))
            .values(shared_at=now, updated_at=now)
        )
        return bool(result.rowcount)
