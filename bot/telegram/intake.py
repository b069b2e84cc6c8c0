"""Updates in: stored in the inbox first, then handed to the PTB Application.

Storing before acknowledging is what makes a crash harmless: an update that
Telegram considers delivered is already on disk, and one delivered twice is
recognised by its update_id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.db.database import Database


class Intake:
    def __init__(self, db: Database, clock: Clock, application: Application) -> None:
        self._db = db
        self._clock = clock
        self._application = application

    async def accept(self, updates: Sequence[Update]) -> None:
        if not updates:
            return
        rows = [(u.update_id, _user_id(u), u.to_dict()) for u in updates]
        async with self._db.transaction() as repos:
            await repos.inbox.add(rows, self._clock.now())
        await self._hand_over(updates)

    async def hand_over_pending(self, received_before: datetime | None = None) -> int:
        """Hand PTB one pending update per user (handling drains the rest): at start, all
        of them; later, those stored before *received_before* and still waiting, which
        a worker that died left behind."""
        async with self._db.transaction() as repos:
            users = await repos.inbox.users_with_pending(received_before)
            firsts = [await repos.inbox.next_for(user) for user in users]
        await self._hand_over(
            [
                Update.de_json(dict(pending.payload), self._application.bot)
                for pending in firsts
                if pending is not None
            ]
        )
        return len(firsts)

    async def _hand_over(self, updates: Sequence[Update]) -> None:
        """One update per user to PTB: handling it drains that user's inbox, so a burst
        from one person becomes one queue entry (and bot.telegram.ordering folds the later ones)."""
        users: set[int | None] = set()
        for update in updates:
            if _user_id(update) not in users:
                users.add(_user_id(update))
                await self._application.update_queue.put(update)


def _user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None
