"""Telegram's limits: about 30 messages a second per bot, about 1 a second per chat.

The global limit counts per bot, not per process, so its budget lives where
every worker can see it: slots on one clock (the generic cell rate
algorithm), spaced evenly, in the database when several workers share it
(bot/db/pace.py) and in memory when one process is all there is (SQLite).
A worker reserves a few slots at a time for the messages it has waiting,
sleeps until each, and sends. Even spacing, not a bucket that starts full,
is what keeps every rolling second within the limit: a full bucket lets a
burst of a whole second's worth follow the previous second's, and Telegram
answers the second half with 429.

A message may leave a little after its slot (a busy event loop, the
network), and then two messages land closer together than planned. A slot
found more than LATE_TOLERANCE late is given up rather than used, and the
slots are spaced with room for LATENESS_ALLOWED in all: the tolerance,
plus what the send itself may add after the check on a busy machine.

Per chat, a small bucket in each process suffices: a chat's calls are
claimed one at a time across workers (bot/db outbox claim), so they rarely
interleave between processes. Buckets of chats gone quiet are dropped, so
memory follows the chats active in the last moments, not the users.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.db.database import Database

# Lateness a slot may have and still be used (seconds), allowed for in the spacing.
LATE_TOLERANCE = 0.1
LATENESS_ALLOWED = 0.15  # paces at 1/1.15 of the rate: 26 a second when told 30
# The most a worker reserves at once, as seconds of the budget: enough to batch its
# waiting messages into one reservation, little enough not to hold others back.
RESERVE_SECONDS = 0.2


class Pace(Protocol):
    async def reserve(self, count: int, interval: float, not_before: float) -> float:
        """Reserve *count* slots *interval* apart, none before *not_before*; the first's time."""


class LocalPace:
    """The slot clock of a bot that runs as one process."""

    def __init__(self) -> None:
        self._next_at = 0.0

    async def reserve(self, count: int, interval: float, not_before: float) -> float:
        first = max(self._next_at, not_before)
        self._next_at = first + count * interval
        return first


class SharedPace:
    """The slot clock in the database, one for all workers (PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def reserve(self, count: int, interval: float, not_before: float) -> float:
        async with self._db.transaction() as repos:
            return await repos.pace.reserve(count, interval, not_before)


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
    def __init__(
        self,
        global_rate: float,
        chat_rate: float,
        chat_burst: int,
        pace: Pace | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._now = monotonic
        self._wall = wall
        self._pace = pace or LocalPace()
        # Spaced so that messages landing up to LATENESS_ALLOWED late still fit any
        # rolling second: n + 1 of them span at least n * interval - LATENESS_ALLOWED.
        self._interval = (1 + LATENESS_ALLOWED) / global_rate
        self._batch = max(1, int(global_rate * RESERVE_SECONDS))
        self._slots: deque[float] = deque()  # reserved for this process, in order
        self._reserving = asyncio.Lock()
        self._wanting = 0  # callers waiting for a global slot: the next reservation's size
        self._paused_until = 0.0  # wall clock
        self._chat_rate = chat_rate
        self._chat_burst = float(chat_burst)
        self._chats: dict[int, Bucket] = {}

    async def acquire(self, chat_id: int | None) -> None:
        """Wait until a message to *chat_id* fits both limits, then count it."""
        if chat_id is not None:
            await self._chat_turn(chat_id)
        while True:
            slot = await self._global_slot()
            delay = slot - self._wall()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._wall() - slot <= LATE_TOLERANCE and slot >= self._paused_until:
                return

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": nobody sends until then, in any worker (the next
        reservation carries the pause to the shared clock)."""
        self._paused_until = max(self._paused_until, self._wall() + seconds)
        while self._slots and self._slots[0] < self._paused_until:
            self._slots.popleft()

    # ------------------------------------------------------------ global

    async def _global_slot(self) -> float:
        self._wanting += 1
        try:
            while True:
                slot = self._fresh_slot()
                if slot is not None:
                    return slot
                async with self._reserving:
                    if not self._slots:
                        await self._reserve()
        finally:
            self._wanting -= 1

    def _fresh_slot(self) -> float | None:
        """The next reserved slot still worth using (a stale one would crowd the next)."""
        now = self._wall()
        while self._slots:
            slot = self._slots.popleft()
            if now - slot <= LATE_TOLERANCE:
                return slot
        return None

    async def _reserve(self) -> None:
        await asyncio.sleep(0)  # let the others of a round line up for the same reservation
        count = min(self._wanting, self._batch)
        not_before = max(self._wall(), self._paused_until)
        first = await self._pace.reserve(count, self._interval, not_before)
        self._slots.extend(first + i * self._interval for i in range(count))

    # ------------------------------------------------------------ per chat

    async def _chat_turn(self, chat_id: int) -> None:
        while True:
            now = self._now()
            delay = self._chat(chat_id, now).wait_time(now)
            if delay <= 0:
                break
            await asyncio.sleep(delay)
        self._chats[chat_id].take()

    def _chat(self, chat_id: int, now: float) -> Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:
                self._forget_idle(now)
            bucket = self._chats[chat_id] = Bucket(
                self._chat_rate, self._chat_burst, self._chat_burst, now
            )
        return bucket

    def _forget_idle(self, now: float) -> None:
        full_after = self._chat_burst / self._chat_rate
        for chat_id in [c for c, b in self._chats.items() if now - b.stamp > full_after]:
            del self._chats[chat_id]
