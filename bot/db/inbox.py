"""The inbox table: each update as it arrived, stored before it is answered, marked when handled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Exists, and_, bindparam, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.models import InboxUpdate, table_of
from bot.db.sql import insert

INBOX = table_of(InboxUpdate)


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    user_id: int | None
    payload: Mapping[str, Any]
    received_at: datetime | None = None
    written_at: datetime | None = None


def _burst_query():
    """The statement behind :meth:`Inbox.burst`, built once (it runs in every turn, and
    building its aliases cost more CPU than running it)."""

    def waited(row) -> Exists:
        earlier = INBOX.alias()
        return (
            select(earlier.c.update_id)
            .where(
                earlier.c.user_id == row.user_id,
                earlier.c.handled_at > row.received_at,
                earlier.c.update_id < row.update_id,
            )
            .exists()
        )

    this = INBOX.alias()
    this_waited = (
        select(this.c.update_id)
        .where(this.c.update_id == bindparam("update_id"), waited(this.c))
        .exists()
    )
    behind = (
        select(INBOX.c.update_id)
        .where(
            INBOX.c.user_id == bindparam("user_id"),
            INBOX.c.written_at > bindparam("since"),
            INBOX.c.update_id <= bindparam("update_id"),
            waited(INBOX.c),
        )
        .limit(bindparam("enough"))
        .subquery()
    )
    return select(
        case((this_waited, select(func.count()).select_from(behind).scalar_subquery()), else_=0)
    )


_BURST = _burst_query()


class Inbox:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    async def add(
        self, updates: Iterable[tuple[int, int | None, Mapping[str, Any]]], now: datetime
    ) -> None:
        """Store updates; one already stored (a redelivery) is left as it is."""
        rows = [
            {
                "update_id": update_id,
                "user_id": user_id,
                "payload_sealed": self._vault.seal(payload),
                "received_at": now,
                "message_id": _own_message_id(payload),
                "written_at": _written_at(payload, now),
            }
            for update_id, user_id, payload in updates
        ]
        if rows:
            await self._db.execute(
                insert(self._db, INBOX)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["update_id"])
            )

    async def next_for(self, user_id: int | None) -> PendingUpdate | None:
        """The oldest unhandled update of one user: strictly in order."""
        who = INBOX.c.user_id.is_(None) if user_id is None else INBOX.c.user_id == user_id
        row = (
            await self._db.execute(
                select(INBOX)
                .where(who, INBOX.c.handled_at.is_(None))
                .order_by(INBOX.c.update_id)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return PendingUpdate(
            row.update_id,
            row.user_id,
            self._vault.open(row.payload_sealed),
            row.received_at,
            row.written_at,
        )

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        await self._db.execute(
            update(INBOX)
            .where(INBOX.c.update_id == update_id)
            .values(handled_at=now, payload_sealed=None)
        )

    async def set_aside(self, update_id: int, now: datetime) -> None:
        """Handled without stepping the flow: part of a flood (bot/turn/flood.py)."""
        await self._db.execute(
            update(INBOX)
            .where(INBOX.c.update_id == update_id)
            .values(handled_at=now, payload_sealed=None, absorbed=True)
        )

    async def burst(self, pending: PendingUpdate, since: datetime, enough: int) -> int:
        """How many of the user's updates up to this one, written after *since*, came in
        while an earlier one still waited (counting stops at *enough*); 0 when this one
        itself came in with nothing waiting.

        Updates of a user are handled in order, so "still waited" means handled later.
        """
        return (
            await self._db.execute(
                _BURST,
                {
                    "update_id": pending.update_id,
                    "user_id": pending.user_id,
                    "since": since,
                    "enough": enough,
                },
            )
        ).scalar_one()

    async def set_aside_since(self, user_id: int, since: datetime) -> bool:
        """Whether any update of this user written after *since* was set aside."""
        query = (
            select(INBOX.c.update_id)
            .where(
                INBOX.c.user_id == user_id,
                INBOX.c.absorbed.is_(True),
                INBOX.c.written_at > since,
            )
            .limit(1)
        )
        return (await self._db.execute(query)).first() is not None

    async def users_with_pending(self, received_before: datetime | None = None) -> list[int | None]:
        """Users with updates still waiting (received before *received_before*, if given),
        the longest waiting first."""
        waiting: ColumnElement[bool] = INBOX.c.handled_at.is_(None)
        if received_before is not None:
            waiting = and_(waiting, INBOX.c.received_at < received_before)
        rows = await self._db.execute(
            select(INBOX.c.user_id)
            .where(waiting)
            .group_by(INBOX.c.user_id)
            .order_by(func.min(INBOX.c.update_id))
        )
        return [row.user_id for row in rows]

    async def highest_update_id(self) -> int | None:
        return (await self._db.execute(select(func.max(INBOX.c.update_id)))).scalar_one()

    async def forget_handled(self, before: datetime) -> int:
        """Drop old de-duplication records; Telegram redelivers for at most a day."""
        result = await self._db.execute(
            delete(INBOX).where(INBOX.c.handled_at.is_not(None), INBOX.c.handled_at < before)
        )
        return result.rowcount or 0


def _written_at(payload: Mapping[str, Any], received: datetime) -> datetime:
    """When the person wrote it, by Telegram's clock: a backlog delivered after an
    outage keeps its real pace. A button press carries no date; it arrived now."""
    for kind, stamp in (
        ("message", "date"),
        ("edited_message", "edit_date"),
        ("my_chat_member", "date"),
    ):
        part = payload.get(kind)
        if isinstance(part, Mapping) and isinstance(part.get(stamp), int | float):
            return datetime.fromtimestamp(part[stamp], UTC)
    return received


def _own_message_id(payload: Mapping[str, Any]) -> int | None:
    """The id of the message a person sent us, if the update is one (for /erase)."""
    message = payload.get("message")
    return message.get("message_id") if isinstance(message, Mapping) else None
