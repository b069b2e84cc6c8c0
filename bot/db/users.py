"""The users table: one row per person, their sealed profile and where their conversation stands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.models import User, table_of
from bot.db.sql import for_update, insert

USERS = table_of(User)


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
            .values(
                id=user_id,
                chat_id=chat_id,
                locale=locale,
                is_active=True,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        row = (
            await self._db.execute(for_update(self._db, select(USERS).where(USERS.c.id == user_id)))
        ).one()
        return self._record(row)

    async def lock_existing(self, user_id: int) -> UserRecord | None:
        """The user's row locked until the transaction ends, if they exist."""
        query = for_update(self._db, select(USERS).where(USERS.c.id == user_id))
        row = (await self._db.execute(query)).first()
        return None if row is None else self._record(row)

    async def get(self, user_id: int) -> UserRecord | None:
        row = (await self._db.execute(select(USERS).where(USERS.c.id == user_id))).first()
        return None if row is None else self._record(row)

    async def save(self, record: UserRecord, now: datetime) -> None:
        session = None if record.session is None else self._vault.seal(record.session)
        profile = self._vault.seal(record.profile) if record.profile else None
        await self._db.execute(
            update(USERS)
            .where(USERS.c.id == record.id)
            .values(
                chat_id=record.chat_id,
                locale=record.locale,
                time_zone=record.time_zone,
                reminder_time=record.reminder_time,
                is_active=record.is_active,
                onboarded_at=record.onboarded_at,
                profile_sealed=profile,
                session_sealed=session,
                keyboard_message_id=record.keyboard_message_id,
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
        opened = {
            name: self._vault.open(columns[f"{name}_sealed"])
            if columns.get(f"{name}_sealed")
            else None
            for name in ("profile", "session", "name")
        }
        return UserRecord(
            id=columns["id"],
            chat_id=columns["chat_id"],
            locale=columns["locale"],
            time_zone=columns["time_zone"],
            reminder_time=columns["reminder_time"],
            is_active=columns["is_active"],
            onboarded_at=columns["onboarded_at"],
            profile=opened["profile"] or {},
            session=opened["session"],
            keyboard_message_id=columns["keyboard_message_id"],
            name=opened["name"] or "",
            created_at=columns.get("created_at"),
        )

    async def note_keyboard(self, chat_id: int, message_id: int) -> None:
        """The newest message with question buttons in this chat."""
        await self._db.execute(
            update(USERS).where(USERS.c.chat_id == chat_id).values(keyboard_message_id=message_id)
        )
