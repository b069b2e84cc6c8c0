"""Updates of one user strictly in order, different users concurrently.

PTB hands every update to this processor; a per-user lock makes a user's
updates wait for each other inside this process. (Across processes the
order is kept by the row lock in bot.turns; this lock just spares the
database needless contention.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _user_key(update)
        lock = self._hold(key)
        try:
            async with lock:
                await coroutine
        finally:
            self._release(key)

    def _hold(self, key: int | None) -> asyncio.Lock:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        return lock

    def _release(self, key: int | None) -> None:
        # Locks are dropped once nobody waits on them: memory follows activity, not users.
        lock, users = self._locks[key]
        if users <= 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _user_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None
