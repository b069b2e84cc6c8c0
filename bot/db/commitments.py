"""Repository for commitments, their daily check-ins and the weekly recovery check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.models import CheckIn, Commitment, WeeklyCheckIn, table_of
from bot.db.sql import insert

COMMITMENTS = table_of(Commitment)
CHECKINS = table_of(CheckIn)
WEEKLY = table_of(WeeklyCheckIn)

ACTIVE, PAUSED, ENDED = "active", "paused", "ended"
KEPT, PARTLY, MISSED = "kept", "partly", "missed"


@dataclass(frozen=True)
class CommitmentRecord:
    id: int
    user_id: int
    text: str
    days: str
    status: str
    visible_to_partner: bool
    created_at: datetime

    def applies_on(self, day: date) -> bool:
        return self.status == ACTIVE and str(day.weekday()) in self.days


@dataclass(frozen=True)
class CheckInRecord:
    id: int
    commitment_id: int
    user_id: int
    day: date
    result: str | None
    noticed_at: datetime | None


@dataclass(frozen=True)
class WeekRecord:
    week_start: date
    ratings: dict[str, int]
    shared: bool


def _checkin(row) -> CheckInRecord:
    return CheckInRecord(
        row.id, row.commitment_id, row.user_id, row.day, row.result, row.noticed_at
    )


class Commitments:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    def _record(self, row) -> CommitmentRecord:
        return CommitmentRecord(
            row.id,
            row.user_id,
            self._vault.open(row.text_sealed),
            row.days,
            row.status,
            row.visible_to_partner,
            row.created_at,
        )

    async def add(self, user_id: int, text: str, days: str, now: datetime) -> int:
        result = await self._db.execute(
            COMMITMENTS.insert()
            .values(
                user_id=user_id,
                text_sealed=self._vault.seal(text),
                days=days,
                status=ACTIVE,
                visible_to_partner=False,
                created_at=now,
            )
            .returning(COMMITMENTS.c.id)
        )
        return result.scalar_one()

    async def get(self, commitment_id: int) -> CommitmentRecord | None:
        row = (
            await self._db.execute(select(COMMITMENTS).where(COMMITMENTS.c.id == commitment_id))
        ).first()
        return None if row is None else self._record(row)

    async def of_user(self, user_id: int) -> list[CommitmentRecord]:
        """Every commitment not ended, oldest first."""
        rows = await self._db.execute(
            select(COMMITMENTS)
            .where(COMMITMENTS.c.user_id == user_id, COMMITMENTS.c.status != ENDED)
            .order_by(COMMITMENTS.c.id)
        )
        return [self._record(row) for row in rows.all()]

    async def change(self, commitment_id: int, **values: Any) -> None:
        if "text" in values:
            values["text_sealed"] = self._vault.seal(values.pop("text"))
        await self._db.execute(
            update(COMMITMENTS).where(COMMITMENTS.c.id == commitment_id).values(**values)
        )

    # ------------------------------------------------------------ daily check-ins

    async def ask(self, commitment_id: int, user_id: int, day: date, now: datetime) -> int:
        """The check-in of that day, created when first asked."""
        await self._db.execute(
            insert(self._db, CHECKINS)
            .values(commitment_id=commitment_id, user_id=user_id, day=day, asked_at=now)
            .on_conflict_do_nothing(index_elements=["commitment_id", "day"])
        )
        row = (
            await self._db.execute(
                select(CHECKINS.c.id).where(
                    CHECKINS.c.commitment_id == commitment_id, CHECKINS.c.day == day
                )
            )
        ).one()
        return row.id

    async def checkin(self, checkin_id: int) -> CheckInRecord | None:
        row = (await self._db.execute(select(CHECKINS).where(CHECKINS.c.id == checkin_id))).first()
        return None if row is None else _checkin(row)

    async def answer(self, checkin_id: int, result: str, now: datetime) -> None:
        """Records (or changes) a day's answer; a day no longer kept is no longer noticed,
        so if it is kept again after all, the partner may notice it afresh."""
        values: dict[str, Any] = {"result": result, "answered_at": now}
        if result != KEPT:
            values["noticed_at"] = None
        await self._db.execute(update(CHECKINS).where(CHECKINS.c.id == checkin_id).values(**values))

    async def add_note(self, checkin_id: int, note: str) -> None:
        await self._db.execute(
            update(CHECKINS)
            .where(CHECKINS.c.id == checkin_id)
            .values(note_sealed=self._vault.seal(note))
        )

    async def notice(self, checkin_id: int, now: datetime) -> bool:
        """Marks a kept check-in as noticed by the partner; False if it already was."""
        result = await self._db.execute(
            update(CHECKINS)
            .where(CHECKINS.c.id == checkin_id, CHECKINS.c.noticed_at.is_(None))
            .values(noticed_at=now)
        )
        return bool(result.rowcount)

    async def history(self, user_id: int, since: date) -> list[CheckInRecord]:
        rows = await self._db.execute(
            select(CHECKINS)
            .where(CHECKINS.c.user_id == user_id, CHECKINS.c.day >= since)
            .order_by(CHECKINS.c.day, CHECKINS.c.commitment_id)
        )
        return [_checkin(row) for row in rows.all()]

    # ------------------------------------------------------------ weekly check-ins

    async def save_week(
        self, user_id: int, week_start: date, ratings: dict[str, int], now: datetime
    ) -> None:
        """One check-in per week; answering again the same week replaces it."""
        sealed = self._vault.seal(ratings)
        await self._db.execute(
            insert(self._db, WEEKLY)
            .values(user_id=user_id, week_start=week_start, ratings_sealed=sealed, created_at=now)
            .on_conflict_do_update(
                index_elements=["user_id", "week_start"],
                set_={"ratings_sealed": sealed, "created_at": now},
            )
        )

    async def share_week(self, user_id: int, week_start: date, now: datetime) -> None:
        await self._db.execute(
            update(WEEKLY)
            .where(WEEKLY.c.user_id == user_id, WEEKLY.c.week_start == week_start)
            .values(shared_at=now)
        )

    async def weeks(self, user_id: int, since: date) -> list[WeekRecord]:
        rows = await self._db.execute(
            select(WEEKLY)
            .where(WEEKLY.c.user_id == user_id, WEEKLY.c.week_start >= since)
            .order_by(WEEKLY.c.week_start)
        )
        return [
            WeekRecord(
                row.week_start, self._vault.open(row.ratings_sealed), row.shared_at is not None
            )
            for row in rows.all()
        ]
