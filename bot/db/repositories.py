"""Repositories over one open transaction: users, the inbox and the outbox.

Each method runs inside the caller's transaction (one per update), so a
step's state change, its outgoing messages and the "handled" mark commit or
roll back together. Sealing and unsealing of user words happens here and
nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Exists, and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.commitments import Commitments
from bot.db.couples import Couples
from bot.db.ledger import Ledger
from bot.db.models import DEAD, HELD, PENDING, SENT, InboxUpdate, OutboxMessage, User
from bot.db.nudges import Nudges
from bot.db.pace import Pace
from bot.db.privacy import Privacy
from bot.db.repair import Listening, Reflections
from bot.db.sql import insert

USERS = User.__table__
INBOX = InboxUpdate.__table__
OUTBOX = OutboxMessage.__table__



def _for_update(connection: AsyncConnection, query, skip_locked: bool = False):
    # SQLite has one writer at a time (BEGIN IMMEDIATE), so row locks are moot there.
    if connection.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=skip_locked)
    return query


@dataclass
class UserRecord:
    id: int
    chat_id: int
    locale: str = "en"
    time_zone: str | None = None
    reminder_time: str | None = None
    is_active: bool = True
    onboarded_at: datetime | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    session: dict[str, Any] | None = None
    keyboard_message_id: int | None = None
    name: str = ""
    created_at: datetime | None = None
    # Set when their data was deleted during this turn: nothing may be written back.
    forgotten: bool = False


class Users:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    async def lock(self, user_id: int, chat_id: int, locale: str, now: datetime) -> UserRecord:
        """The user's row, created if new, locked until the transaction ends."""
        await self._db.execute(
            insert(self._db, USERS)
            .values(id=user_id, chat_id=chat_id, locale=locale, is_active=True,
                    created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        row = (await self._db.execute(
            _for_update(self._db, select(USERS).where(USERS.c.id == user_id))
        )).one()
        return self._record(row)

    async def lock_existing(self, user_id: int) -> UserRecord | None:
        """The user's row locked until the transaction ends, if they exist."""
        query = _for_update(self._db, select(USERS).where(USERS.c.id == user_id))
        row = (await self._db.execute(query)).first()
        return None if row is None else self._record(row)

    async def get(self, user_id: int) -> UserRecord | None:
        row = (await self._db.execute(select(USERS).where(USERS.c.id == user_id))).first()
        return None if row is None else self._record(row)

    async def save(self, record: UserRecord, now: datetime) -> None:
        session = None if record.session is None else self._vault.seal(record.session)
        profile = self._vault.seal(record.profile) if record.profile else None
        await self._db.execute(
            update(USERS).where(USERS.c.id == record.id).values(
                chat_id=record.chat_id, locale=record.locale, time_zone=record.time_zone,
                reminder_time=record.reminder_time, is_active=record.is_active,
                onboarded_at=record.onboarded_at, profile_sealed=profile,
                session_sealed=session, keyboard_message_id=record.keyboard_message_id,
                name_sealed=self._vault.seal(record.name) if record.name else None,
                updated_at=now,
            )
        )

    async def set_active(self, user_id: int, active: bool, now: datetime) -> None:
        await self._db.execute(
            update(USERS).where(USERS.c.id == user_id).values(is_active=active, updated_at=now)
        )

    async def count(self) -> int:
        return (await self._db.execute(select(func.count()).select_from(USERS))).scalar_one()

    def _record(self, row) -> UserRecord:
        return self.from_columns(row._mapping)

    def from_columns(self, columns: Mapping[str, Any]) -> UserRecord:
        """A user from their row's columns; without ``session_sealed``, no session."""
        opened = {name: self._vault.open(columns[f"{name}_sealed"])
                  if columns.get(f"{name}_sealed") else None
                  for name in ("profile", "session", "name")}
        return UserRecord(
            id=columns["id"], chat_id=columns["chat_id"], locale=columns["locale"],
            time_zone=columns["time_zone"], reminder_time=columns["reminder_time"],
            is_active=columns["is_active"], onboarded_at=columns["onboarded_at"],
            profile=opened["profile"] or {}, session=opened["session"],
            keyboard_message_id=columns["keyboard_message_id"], name=opened["name"] or "",
            created_at=columns.get("created_at"),
        )

    async def note_keyboard(self, chat_id: int, message_id: int) -> None:
        """The newest message with question buttons in this chat."""
        await self._db.execute(
            update(USERS).where(USERS.c.chat_id == chat_id)
            .values(keyboard_message_id=message_id)
        )


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
        return select(earlier.c.update_id).where(
            earlier.c.user_id == row.user_id, earlier.c.handled_at > row.received_at,
            earlier.c.update_id < row.update_id,
        ).exists()

    this = INBOX.alias()
    this_waited = select(this.c.update_id).where(this.c.update_id == bindparam("update_id"),
                                                 waited(this.c)).exists()
    behind = select(INBOX.c.update_id).where(
        INBOX.c.user_id == bindparam("user_id"), INBOX.c.written_at > bindparam("since"),
        INBOX.c.update_id <= bindparam("update_id"), waited(INBOX.c),
    ).limit(bindparam("enough")).subquery()
    return select(case((this_waited, select(func.count()).select_from(behind)
                        .scalar_subquery()), else_=0))


_BURST = _burst_query()


class Inbox:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    async def add(self, updates: Iterable[tuple[int, int | None, Mapping[str, Any]]],
                  now: datetime) -> None:
        """Store updates; one already stored (a redelivery) is left as it is."""
        rows = [
            {"update_id": update_id, "user_id": user_id,
             "payload_sealed": self._vault.seal(payload), "received_at": now,
             "message_id": _own_message_id(payload), "written_at": _written_at(payload, now)}
            for update_id, user_id, payload in updates
        ]
        if rows:
            await self._db.execute(
                insert(self._db, INBOX).values(rows).on_conflict_do_nothing(
                    index_elements=["update_id"]
                )
            )

    async def next_for(self, user_id: int | None) -> PendingUpdate | None:
        """The oldest unhandled update of one user: strictly in order."""
        who = INBOX.c.user_id.is_(None) if user_id is None else INBOX.c.user_id == user_id
        row = (await self._db.execute(
            select(INBOX).where(who, INBOX.c.handled_at.is_(None))
            .order_by(INBOX.c.update_id).limit(1)
        )).first()
        if row is None:
            return None
        return PendingUpdate(row.update_id, row.user_id, self._vault.open(row.payload_sealed),
                             row.received_at, row.written_at)

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        await self._db.execute(
            update(INBOX).where(INBOX.c.update_id == update_id)
            .values(handled_at=now, payload_sealed=None)
        )

    async def set_aside(self, update_id: int, now: datetime) -> None:
        """Handled without stepping the flow: part of a flood (bot/turn/flood.py)."""
        await self._db.execute(
            update(INBOX).where(INBOX.c.update_id == update_id)
            .values(handled_at=now, payload_sealed=None, absorbed=True)
        )

    async def burst(self, pending: PendingUpdate, since: datetime, enough: int) -> int:
        """How many of the user's updates up to this one, written after *since*, came in
        while an earlier one still waited (counting stops at *enough*); 0 when this one
        itself came in with nothing waiting.

        Updates of a user are handled in order, so "still waited" means handled later.
        """
        return (await self._db.execute(_BURST, {
            "update_id": pending.update_id, "user_id": pending.user_id, "since": since,
            "enough": enough})).scalar_one()

    async def set_aside_since(self, user_id: int, since: datetime) -> bool:
        """Whether any update of this user written after *since* was set aside."""
        query = select(INBOX.c.update_id).where(
            INBOX.c.user_id == user_id, INBOX.c.absorbed.is_(True), INBOX.c.written_at > since,
        ).limit(1)
        return (await self._db.execute(query)).first() is not None

    async def users_with_pending(self, received_before: datetime | None = None
                                 ) -> list[int | None]:
        """Users with updates still waiting (received before *received_before*, if given),
        the longest waiting first."""
        waiting = INBOX.c.handled_at.is_(None)
        if received_before is not None:
            waiting = and_(waiting, INBOX.c.received_at < received_before)
        rows = await self._db.execute(
            select(INBOX.c.user_id).where(waiting)
            .group_by(INBOX.c.user_id).order_by(func.min(INBOX.c.update_id))
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
    for kind, stamp in (("message", "date"), ("edited_message", "edit_date"),
                        ("my_chat_member", "date")):
        part = payload.get(kind)
        if isinstance(part, Mapping) and isinstance(part.get(stamp), int | float):
            return datetime.fromtimestamp(part[stamp], UTC)
    return received


def _own_message_id(payload: Mapping[str, Any]) -> int | None:
    """The id of the message a person sent us, if the update is one (for /erase)."""
    message = payload.get("message")
    return message.get("message_id") if isinstance(message, Mapping) else None


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
        .where(earlier.c.chat_id == OUTBOX.c.chat_id, earlier.c.status == PENDING,
               earlier.c.id < OUTBOX.c.id)
        .exists()
    )
    now = bindparam("now", type_=OUTBOX.c.due_at.type)
    return (
        select(OUTBOX)
        .where(OUTBOX.c.status == PENDING, OUTBOX.c.due_at <= now,
               (OUTBOX.c.lease_until.is_(None)) | (OUTBOX.c.lease_until < now), ~blocked)
        .order_by(OUTBOX.c.id).limit(bindparam("limit"))
    )


_CLAIMABLE = _claimable_query()


class Outbox:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    async def add(self, chat_id: int, method: str, payload: Mapping[str, Any],
                  now: datetime) -> None:
        await self.add_many([(chat_id, method, payload)], now)

    async def add_many(self, calls: Sequence[tuple[int, str, Mapping[str, Any]]],
                       now: datetime) -> None:
        """(chat, method, parameters) in one insert; id order is the send order in a chat."""
        if calls:
            await self._db.execute(OUTBOX.insert(), [
                {"chat_id": chat_id, "method": method, "payload_sealed": self._vault.seal(payload),
                 "status": PENDING, "attempts": 0, "created_at": now, "due_at": now}
                for chat_id, method, payload in calls])

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[OutgoingCall]:
        """Due calls that head their chat's queue, leased to this worker.

        Only the oldest pending call of each chat is eligible, so a chat's
        messages go out in order even when an earlier one is being retried.
        """
        query = _for_update(self._db, _CLAIMABLE, skip_locked=True)
        rows = (await self._db.execute(query, {"now": now, "limit": limit})).all()
        if rows:
            await self._db.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_([row.id for row in rows]))
                .values(lease_until=now + lease)
            )
        return [
            OutgoingCall(row.id, row.chat_id, row.method, self._vault.open(row.payload_sealed),
                         row.attempts, row.created_at, now + lease)
            for row in rows
        ]

    async def release(self, call: OutgoingCall) -> None:
        """Give back a claimed call unsent, so it can be claimed again at once; a no-op
        if the lease already ran out and another worker holds it now."""
        await self._db.execute(
            update(OUTBOX).where(OUTBOX.c.id == call.id, OUTBOX.c.status == PENDING,
                                 OUTBOX.c.lease_until == call.lease_until)
            .values(lease_until=None)
        )

    async def mark_sent(self, call_id: int, now: datetime,
                        message_id: int | None = None) -> None:
        """Telegram has it: the words leave the database; the message's id stays (for /erase)."""
        await self._db.execute(
            update(OUTBOX).where(OUTBOX.c.id == call_id)
            .values(status=SENT, sent_at=now, lease_until=None, payload_sealed=None,
                    message_id=message_id)
        )

    async def retry_later(self, call_id: int, due: datetime, error: str,
                          count_attempt: bool = True) -> None:
        values: dict[str, Any] = {"due_at": due, "lease_until": None, "last_error": error[:200]}
        if count_attempt:
            values["attempts"] = OUTBOX.c.attempts + 1
        await self._db.execute(update(OUTBOX).where(OUTBOX.c.id == call_id).values(**values))

    async def give_up(self, call_id: int, error: str) -> None:
        await self._db.execute(
            update(OUTBOX).where(OUTBOX.c.id == call_id)
            .values(status=DEAD, lease_until=None, last_error=error[:200], payload_sealed=None)
        )

    async def give_up_chat(self, chat_id: int, error: str) -> None:
        """Nothing more reaches a chat that blocked us; its queue is closed."""
        await self._db.execute(
            update(OUTBOX).where(and_(OUTBOX.c.chat_id == chat_id, OUTBOX.c.status == PENDING))
            .values(status=DEAD, lease_until=None, last_error=error[:200], payload_sealed=None)
        )

    async def pending_of(self, chat_id: int) -> list[OutgoingCall]:
        """A chat's calls still waiting to be sent, oldest first."""
        rows = await self._db.execute(select(OUTBOX).where(
            OUTBOX.c.chat_id == chat_id, OUTBOX.c.status == PENDING).order_by(OUTBOX.c.id))
        return [OutgoingCall(row.id, row.chat_id, row.method,
                             self._vault.open(row.payload_sealed), row.attempts, row.created_at)
                for row in rows.all()]

    async def hold(self, call_ids: Sequence[int], error: str) -> None:
        """Kept, not given up: words a partner chose to send wait for a chat that blocked us."""
        if call_ids:
            await self._db.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(list(call_ids)), OUTBOX.c.status == PENDING)
                .values(status=HELD, lease_until=None, last_error=error[:200]))

    async def release_held(self, chat_id: int, now: datetime) -> int:
        """The chat came back: what was held for it goes out now, in its first order."""
        result = await self._db.execute(
            update(OUTBOX).where(OUTBOX.c.chat_id == chat_id, OUTBOX.c.status == HELD)
            .values(status=PENDING, due_at=now, created_at=now, attempts=0, lease_until=None))
        return result.rowcount or 0

    async def release_leases(self) -> int:
        """Free every lease: only for a single-process deployment (SQLite) at start,
        where any lease left behind belonged to a process that is gone."""
        result = await self._db.execute(
            update(OUTBOX).where(OUTBOX.c.status == PENDING, OUTBOX.c.lease_until.is_not(None))
            .values(lease_until=None)
        )
        return result.rowcount or 0

    async def count(self, status: str = PENDING) -> int:
        return (await self._db.execute(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == status)
        )).scalar_one()

    async def next_due(self) -> datetime | None:
        return (await self._db.execute(
            select(func.min(OUTBOX.c.due_at)).where(OUTBOX.c.status == PENDING)
        )).scalar_one()

    async def forget_sent(self, before: datetime) -> int:
        """Drop settled calls: sent before *before*, or given up on and created before it."""
        result = await self._db.execute(
            delete(OUTBOX).where(or_(and_(OUTBOX.c.status == SENT, OUTBOX.c.sent_at < before),
                                     and_(OUTBOX.c.status == DEAD, OUTBOX.c.created_at < before)))
        )
        return result.rowcount or 0


class Repositories:
    """All repositories over one transaction, handed to the code of one update."""

    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self.users = Users(connection, vault)
        self.inbox = Inbox(connection, vault)
        self.outbox = Outbox(connection, vault)
        self.couples = Couples(connection)
        self.ledger = Ledger(connection, vault)
        self.nudges = Nudges(connection)
        self.commitments = Commitments(connection, vault)
        self.reflections = Reflections(connection, vault)
        self.listening = Listening(connection, vault)
        self.privacy = Privacy(connection, vault)
        self.pace = Pace(connection)
