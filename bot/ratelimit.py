"""Token buckets for Telegram's limits: about 30 messages a second overall, 1 per chat.

Buckets of chats that have gone quiet are dropped, so memory follows the
number of chats active in the last moments, not the number of users.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Bucket:
    rate: float
    capacity: float
    tokens: float
    stamp: float

    def wait_time(self, now: float) -> float:
        """Seconds until one token is free (0 when one is free now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class RateLimiter:
    def __init__(self, global_rate: float, chat_rate: float, chat_burst: int,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        start = monotonic()
        self._global = Bucket(global_rate, global_rate, global_rate, start)
        self._chat_rate = chat_rate
        self._chat_burst = float(chat_burst)
        self._chats: dict[int, Bucket] = {}
        self._paused_until = 0.0

    async def acquire(self, chat_id: int | None) -> None:
        """Wait until a message to *chat_id* fits both limits, then count it."""
        while True:
            delay = self._delay(chat_id)
            if delay <= 0:
                break
            await asyncio.sleep(delay)
        self._global.take()
        if chat_id is not None:
            self._chats[chat_id].take()

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": nobody sends until then."""
        self._paused_until = max(self._paused_until, self._now() + seconds)

    def _delay(self, chat_id: int | None) -> float:
        now = self._now()
        delay = max(self._paused_until - now, self._global.wait_time(now))
        if chat_id is not None:
            delay = max(delay, self._chat(chat_id, now).wait_time(now))
        return delay

    def _chat(self, chat_id: int, now: float) -> Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:
                self._forget_idle(now)
            bucket = self._chats[chat_id] = Bucket(
                self._chat_rate, self._chat_burst, self._chat_burst, now)
        return bucket

    def _forget_idle(self, now: float) -> None:
        full_after = self._chat_burst / self._chat_rate
        for chat_id in [c for c, b in self._chats.items() if now - b.stamp > full_after]:
            del self._chats[chat_id]
