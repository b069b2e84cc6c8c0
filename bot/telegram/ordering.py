"""Updates of one user strictly in order, different users concurrently, each user one slot.

Handling any update of a user drains that user's whole inbox, oldest first
(bot.turn.turns), so while a user's turn runs here, their newer updates need no
handling of their own: the running drain, or one more after it, takes them
from the inbox. A user with a backlog therefore holds one of PTB's slots, not
one per update, and a flood from one person cannot fill the slots everyone
else needs. (Across processes the order is kept by the row lock in
bot.turn.turns; this only spares the database needless contention.)
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        # Users being handled now, each with the handling of their newest update that
        # came in meanwhile (None: nothing new). Dropped when idle: memory follows
        # activity, not users, and nothing outlives the drain.
        self._busy: dict[int | None, Awaitable[Any] | None] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _user_key(update)
        if key in self._busy:
            # Its row is in the inbox already; one more drain after this one takes it.
            _discard(self._busy[key])
            self._busy[key] = coroutine
            return
        self._busy[key] = None
        try:
            await coroutine
            while (newest := self._busy[key]) is not None:
                self._busy[key] = None
                await newest
        finally:
            # If a drain failed, what it left stays in the inbox for the next update or start.
            _discard(self._busy.pop(key))

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _discard(handling: Awaitable[Any] | None) -> None:
    if inspect.iscoroutine(handling):
        handling.close()


def _user_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None
