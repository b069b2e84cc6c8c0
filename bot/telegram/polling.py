"""Long polling that never loses an update.

PTB's own Updater asks for the next batch (which confirms the previous one
to Telegram) before the previous batch has been handled, so a crash in
between loses it. Here the next getUpdates is sent only after the batch is
stored in the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from bot.telegram.intake import Intake

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MAX_BACKOFF = 30.0


class DurablePoller:
    def __init__(self, bot: Bot, intake: Intake, timeout: int) -> None:
        self._bot = bot
        self._intake = intake
        self._timeout = timeout
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        await self._bot.delete_webhook(drop_pending_updates=False)
        failures = 0
        while not stop.is_set():
            try:
                await self._poll_once()
                failures = 0
            except (InvalidToken, Conflict):
                raise
            except (NetworkError, TelegramError) as error:
                failures += 1
                delay = min(MAX_BACKOFF, 0.5 * 2**failures)
                log.warning(
                    "getUpdates failed (%s); retrying in %.1fs", type(error).__name__, delay
                )
                await _sleep_or_stop(stop, delay)

    async def _poll_once(self) -> None:
        updates = await self._bot.get_updates(
            offset=self._offset,
            timeout=self._timeout,
            allowed_updates=ALLOWED_UPDATES,
            read_timeout=self._timeout + 10,
        )
        if updates:
            await self._intake.accept(updates)
            self._offset = updates[-1].update_id + 1


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
