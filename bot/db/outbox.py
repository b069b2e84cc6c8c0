"""The outbox table: every call the bot makes waits here until Telegram confirmed it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.models import DEAD, HELD, PENDING, SENT, OutboxMessage, table_of
from bot.db.sql import for_update

OUTBOX = table_of(OutboxMessage)


@dataclass(frozen=True)
class OutgoingCall:
    id: int
    chat_id: int
    method: str
    payload: Mapping[str, Any]
    attempts: int
    created_at: datetime
    # Until when this worker holds it; after that another may claim and send it too.
    lease_until: datetime | None = None


def _claimable_query():
    """The statement behind :meth:`Outbox.claim`, built once: the sender runs it many
    times a second under load, and building its alias costs more than running it."""
    earlier = OUTBOX.alias("earlier")
    blocked = (
        select(earlier.c.id)
        .where(
            earlier.c.chat_id == OUTBOX.c.chat_id,
            earlier.c.status == PENDING,
            earlier.c.id < OUTBOX.c.id,
        )
        .exists()
    )
    now = bindparam("now", type_=OUTBOX.c.due_at.type)
    return (
        select(OUTBOX)
        .where(
            OUTBOX.c.status == PENDING,
            OUTBOX.c.due_at <= now,
            (OUTBOX.c.lease_until.is_(None)) | (OUTBOX.c.lease_until < now),
            ~blocked,
        )
        .order_by(OUTBOX.c.id)
        .limit(bindparam("limit"))
    )


_CLAIMABLE = _claimable_query()


class Outbox:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    async def add(
        self, chat_id: int, method: str, payload: Mapping[str, Any], now: datetime
    ) -> None:
        await self.add_many([(chat_id, method, payload)], now)

    async def add_many(
        self, calls: Sequence[tuple[int, str, Mapping[str, Any]]], now: datetime
    ) -> None:
        """(chat, method, parameters) in one insert; id order is the send order in a chat."""
        if calls:
            await self._db.execute(
                OUTBOX.insert(),
                [
                    {
                        "chat_id": chat_id,
                        "method": method,
                        "payload_sealed": self._vault.seal(payload),
                        "status": PENDING,
                        "attempts": 0,
                        "created_at": now,
                        "due_at": now,
                    }
                    for chat_id, method, payload in calls
                ],
            )

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[OutgoingCall]:
        """Due calls that head their chat's queue, leased to this worker.

        Only the oldest pending call of each chat is eligible, so a chat's
        messages go out in order even when an earlier one is being retried.
        """
        query = for_update(self._db, _CLAIMABLE, skip_locked=True)
        rows = (await self._db.execute(query, {"now": now, "limit": limit})).all()
        if rows:
            await self._db.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_([row.id for row in rows]))
                .values(lease_until=now + lease)
            )
        return [
            OutgoingCall(
                row.id,
                row.chat_id,
                row.method,
                self._vault.open(row.payload_sealed),
                row.attempts,
                row.created_at,
                now + lease,
            )
            for row in rows
        ]

    async def release(self, call: OutgoingCall) -> None:
        """Give back a claimed call unsent, so it can be claimed again at once; a no-op
        if the lease already ran out and another worker holds it now."""
        await self._db.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id == call.id,
                OUTBOX.c.status == PENDING,
                OUTBOX.c.lease_until == call.lease_until,
            )
            .values(lease_until=None)
        )

    async def mark_sent(self, call_id: int, now: datetime, message_id: int | None = None) -> None:
        """Telegram has it: the words leave the database; the message's id stays (for /erase)."""
        await self._db.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == call_id)
            .values(
                status=SENT,
                sent_at=now,
                lease_until=None,
                payload_sealed=None,
                message_id=message_id,
            )
        )

    async def retry_later(
        self, call_id: int, due: datetime, error: str, count_attempt: bool = True
    ) -> None:
        values: dict[str, Any] = {"due_at": due, "lease_until": None, "last_error": error[:200]}
        if count_attempt:
            values["attempts"] = OUTBOX.c.attempts + 1
        await self._db.execute(update(OUTBOX).where(OUTBOX.c.id == call_id).values(**values))

    async def give_up(self, call_id: int, error: str) -> None:
        await self._db.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == call_id)
            .values(status=DEAD, lease_until=None, last_error=error[:200], payload_sealed=None)
        )

    async def give_up_chat(self, chat_id: int, error: str) -> None:
        """Nothing more reaches a chat that blocked us; its queue is closed."""
        await self._db.execute(
            update(OUTBOX)
            .where(and_(OUTBOX.c.chat_id == chat_id, OUTBOX.c.status == PENDING))
            .values(status=DEAD, lease_until=None, last_error=error[:200], payload_sealed=None)
        )

    async def pending_of(self, chat_id: int) -> list[OutgoingCall]:
        """A chat's calls still waiting to be sent, oldest first."""
        rows = await self._db.execute(
            select(OUTBOX)
            .where(OUTBOX.c.chat_id == chat_id, OUTBOX.c.status == PENDING)
            .order_by(OUTBOX.c.id)
        )
        return [
            OutgoingCall(
                row.id,
                row.chat_id,
                row.method,
                self._vault.open(row.payload_sealed),
                row.attempts,
                row.created_at,
            )
            for row in rows.all()
        ]

    async def hold(self, call_ids: Sequence[int], error: str) -> None:
        """Kept, not given up: words a partner chose to send wait for a chat that blocked us."""
        if call_ids:
            await self._db.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(list(call_ids)), OUTBOX.c.status == PENDING)
                .values(status=HELD, lease_until=None, last_error=error[:200])
            )

    async def release_held(self, chat_id: int, now: datetime) -> int:
        """The chat came back: what was held for it goes out now, in its first order."""
        result = await self._db.execute(
            update(OUTBOX)
            .where(OUTBOX.c.chat_id == chat_id, OUTBOX.c.status == HELD)
            .values(status=PENDING, due_at=now, created_at=now, attempts=0, lease_until=None)
        )
        return result.rowcount or 0

    async def release_leases(self) -> int:
        """Free every lease: only for a single-process deployment (SQLite) at start,
        where any lease left behind belonged to a process that is gone."""
        result = await self._db.execute(
            update(OUTBOX)
            .where(OUTBOX.c.status == PENDING, OUTBOX.c.lease_until.is_not(None))
            .values(lease_until=None)
        )
        return result.rowcount or 0

    async def count(self, status: str = PENDING) -> int:
        return (
            await self._db.execute(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == status)
            )
        ).scalar_one()

    async def next_due(self) -> datetime | None:
        return (
            await self._db.execute(
                select(func.min(OUTBOX.c.due_at)).where(OUTBOX.c.status == PENDING)
            )
        ).scalar_one()

    async def forget_sent(self, before: datetime) -> int:
        """Drop settled calls: sent before *before*, or given up on and created before it."""
        result = await self._db.execute(
            delete(OUTBOX).where(
                or_(
                    and_(OUTBOX.c.status == SENT, OUTBOX.c.sent_at < before),
                    and_(OUTBOX.c.status == DEAD, OUTBOX.c.created_at < before),
                )
            )
        )
        return result.rowcount or 0
