"""One handle on the database: the engine, the vault, and a transaction per unit of work."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.crypto import Vault
from bot.db.engine import make_engine, migrate
from bot.db.repositories import Repositories


class Database:
    def __init__(self, engine: AsyncEngine, vault: Vault) -> None:
        self.engine = engine
        self.vault = vault
        # SQLite has one writer. Left to SQLite's busy loop, whoever commits and begins
        # again at once (a user's drain) keeps winning and the others starve; queued
        # here they take turns in order of arrival. PostgreSQL needs no such queue.
        sqlite = engine.dialect.name == "sqlite"
        self._writers = asyncio.Lock() if sqlite else contextlib.nullcontext()

    @classmethod
    async def open(cls, url: str, vault: Vault) -> Database:
        """Connect and bring the schema up to date."""
        engine = make_engine(url)
        await migrate(engine)
        return cls(engine, vault)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        async with self._writers, self.engine.begin() as connection:
            yield Repositories(connection, self.vault)

    async def ping(self, timeout: float = 5) -> None:
        """Raises unless the database answers within *timeout* seconds."""
        async with self.engine.connect() as connection:
            await asyncio.wait_for(connection.execute(text("SELECT 1")), timeout)

    async def close(self) -> None:
        await self.engine.dispose()
