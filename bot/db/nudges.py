"""Repository for scheduled nudges and the record of each one sent.

Claiming is how many workers share the work: due rows are taken with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer at a time),
and the same transaction queues the messages and moves the row on, so an
occurrence is either wholly sent-and-advanced or not at all.

The scheduler works a claimed batch with a handful of statements, whatever
its size: the batch's users come with the claim (one join), and the records,
outbox calls and row moves go in one multi-row statement each (the ``*_many``
methods and :meth:`Nudges.queue_calls`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Nudge, NudgeSent, User, table_of
from bot.db.sql import insert

NUDGES = table_of(Nudge)
SENT = table_of(NudgeSent)
USERS = table_of(User)
# What the scheduler needs of a due row's user (never the conversation state).
DUE_USER_COLUMNS = (
    "id",
    "chat_id",
    "locale",
    "time_zone",
    "reminder_time",
    "is_active",
    "onboarded_at",
    "profile_sealed",
    "keyboard_message_id",
    "name_sealed",
)
# Rows per multi-row statement: well under SQLite's 32,766 bound parameters.
_CHUNK = 500
STANDING = ""  # the ref of a row that repeats by the user's rhythm


@dataclass
class NudgeRecord:
    id: int
    user_id: int
    kind: str
    ref: str
    due_at: datetime | None
    every_days: int = 1
    last_day: date | None = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def standing(self) -> bool:
        return self.ref == STANDING


def _record(row) -> NudgeRecord:
    return NudgeRecord(
        row.id,
        row.user_id,
        row.kind,
        row.ref,
        row.due_at,
        row.every_days,
        row.last_day,
        json.loads(row.state) if row.state else {},
    )


class Nudges:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def claim_due(self, now: datetime, limit: int) -> list[NudgeRecord]:
        """Due rows no other worker holds, locked until this transaction ends."""
        query = (
            select(NUDGES)
            .where(NUDGES.c.due_at <= now)
            .order_by(NUDGES.c.due_at, NUDGES.c.id)
            .limit(limit)
        )
        if self._db.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_record(row) for row in (await self._db.execute(query)).all()]

    async def claim_due_with_users(
        self, now: datetime, limit: int
    ) -> list[tuple[NudgeRecord, Mapping[str, Any] | None]]:
        """Like :meth:`claim_due`, each row with its user's columns (None if they are gone).

        One statement for the whole batch: the claim itself (the same query as
        :meth:`claim_due`, locking only nudge rows) is a subquery, and the users
        are joined to the rows it took, not to every due row before the limit.
        """
        claim = (
            select(NUDGES)
            .where(NUDGES.c.due_at <= now)
            .order_by(NUDGES.c.due_at, NUDGES.c.id)
            .limit(limit)
        )
        if self._db.dialect.name == "postgresql":
            claim = claim.with_for_update(skip_locked=True)
        claimed = claim.subquery("claimed")
        user_columns = [USERS.c[name].label(f"u_{name}") for name in DUE_USER_COLUMNS]
        query = (
            select(claimed, *user_columns)
            .select_from(claimed.outerjoin(USERS, USERS.c.id == claimed.c.user_id))
            .order_by(claimed.c.due_at, claimed.c.id)
        )
        batch: list[tuple[NudgeRecord, Mapping[str, Any] | None]] = []
        for row in (await self._db.execute(query)).all():
            user = (
                None
                if row.u_id is None
                else {name: row._mapping[f"u_{name}"] for name in DUE_USER_COLUMNS}
            )
            batch.append((_record(row), user))
        return batch

    async def next_due(self) -> datetime | None:
        return (await self._db.execute(select(func.min(NUDGES.c.due_at)))).scalar_one()

    async def for_user(self, user_id: int) -> list[NudgeRecord]:
        rows = await self._db.execute(
            select(NUDGES).where(NUDGES.c.user_id == user_id).order_by(NUDGES.c.id)
        )
        return [_record(row) for row in rows.all()]

    async def get(self, user_id: int, kind: str, ref: str = STANDING) -> NudgeRecord | None:
        row = (
            await self._db.execute(
                select(NUDGES).where(
                    NUDGES.c.user_id == user_id, NUDGES.c.kind == kind, NUDGES.c.ref == ref
                )
            )
        ).first()
        return None if row is None else _record(row)

    async def put(
        self,
        user_id: int,
        kind: str,
        due_at: datetime | None,
        ref: str = STANDING,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Create the row, or move an existing one to a new due moment."""
        values = {
            "user_id": user_id,
            "kind": kind,
            "ref": ref,
            "due_at": due_at,
            "every_days": 1,
            "state": json.dumps(state) if state else None,
        }
        changes: dict[str, Any] = {"due_at": due_at}
        if state is not None:
            changes["state"] = values["state"]
        await self._db.execute(
            insert(self._db, NUDGES)
            .values(**values)
            .on_conflict_do_update(index_elements=["user_id", "kind", "ref"], set_=changes)
        )

    async def advance(self, record: NudgeRecord) -> None:
        """Store where a row goes next (due moment, last day, state)."""
        await self._db.execute(
            update(NUDGES)
            .where(NUDGES.c.id == record.id)
            .values(
                due_at=record.due_at,
                last_day=record.last_day,
                every_days=record.every_days,
                state=json.dumps(record.state) if record.state else None,
            )
        )

    async def advance_many(self, records: Sequence[NudgeRecord]) -> None:
        """:meth:`advance` for many rows in one statement (executemany)."""
        if not records:
            return
        statement = (
            update(NUDGES)
            .where(NUDGES.c.id == bindparam("row_id"))
            .values(
                due_at=bindparam("new_due_at"),
                last_day=bindparam("new_last_day"),
                every_days=bindparam("new_every_days"),
                state=bindparam("new_state"),
            )
        )
        await self._db.execute(
            statement,
            [
                {
                    "row_id": r.id,
                    "new_due_at": r.due_at,
                    "new_last_day": r.last_day,
                    "new_every_days": r.every_days,
                    "new_state": json.dumps(r.state) if r.state else None,
                }
                for r in records
            ],
        )

    async def remove(self, nudge_id: int) -> None:
        await self._db.execute(delete(NUDGES).where(NUDGES.c.id == nudge_id))

    async def remove_many(self, nudge_ids: Sequence[int]) -> None:
        for part in _chunks(nudge_ids):
            await self._db.execute(delete(NUDGES).where(NUDGES.c.id.in_(part)))

    async def rest(self, user_id: int) -> None:
        """Nothing is due for this user until their rows are scheduled again."""
        await self._db.execute(
            update(NUDGES).where(NUDGES.c.user_id == user_id).values(due_at=None)
        )

    async def rest_many(self, user_ids: Iterable[int]) -> None:
        for part in _chunks(sorted(set(user_ids))):
            await self._db.execute(
                update(NUDGES).where(NUDGES.c.user_id.in_(part)).values(due_at=None)
            )

    # ------------------------------------------------------------ what was sent

    async def record_sent(
        self, user_id: int, kind: str, occurrence: str, now: datetime
    ) -> int | None:
        """The new record's id, or None when this occurrence was already sent."""
        result = await self._db.execute(
            insert(self._db, SENT)
            .values(user_id=user_id, kind=kind, occurrence=occurrence, sent_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "kind", "occurrence"])
            .returning(SENT.c.id)
        )
        return result.scalar_one_or_none()

    async def record_sent_many(
        self, occurrences: Sequence[tuple[int, str, str]], now: datetime
    ) -> dict[tuple[int, str, str], int]:
        """:meth:`record_sent` for many (user, kind, occurrence) at once.

        The new records' ids by occurrence; one already sent (before, or earlier
        in *occurrences*) has no entry, exactly as :meth:`record_sent` one by one.
        """
        unique = list(dict.fromkeys(occurrences))
        if not unique:
            return {}
        # Executed with many parameter sets, SQLAlchemy sends it as multi-row
        # INSERTs ("insertmanyvalues") with a statement compiled once.
        result = await self._db.execute(
            insert(self._db, SENT)
            .on_conflict_do_nothing(index_elements=["user_id", "kind", "occurrence"])
            .returning(SENT.c.id, SENT.c.user_id, SENT.c.kind, SENT.c.occurrence),
            [
                {"user_id": user_id, "kind": kind, "occurrence": occurrence, "sent_at": now}
                for user_id, kind, occurrence in unique
            ],
        )
        return {(row.user_id, row.kind, row.occurrence): row.id for row in result}

    # ------------------------------------------------------------ their messages

    async def sent(self, sent_id: int) -> tuple[int, str, str] | None:
        """(user, kind, occurrence) of a sent nudge, for its Snooze and Fewer buttons."""
        row = (await self._db.execute(select(SENT).where(SENT.c.id == sent_id))).first()
        return None if row is None else (row.user_id, row.kind, row.occurrence)

    async def all_sent(self) -> list[tuple[int, str, str, datetime]]:
        """(user, kind, occurrence, when) of every record kept, oldest first."""
        rows = await self._db.execute(select(SENT).order_by(SENT.c.id))
        return [(row.user_id, row.kind, row.occurrence, row.sent_at) for row in rows]

    async def forget_sent(self, before: datetime) -> None:
        await self._db.execute(delete(SENT).where(SENT.c.sent_at < before))


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
