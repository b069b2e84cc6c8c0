"""The rate limiter in one process: even spacing, per-chat bursts, pauses, late slots."""

from __future__ import annotations

import asyncio
import time

from bench.common import most_in_any_window
from bot.delivery.ratelimit import LATE_TOLERANCE, LocalPace, RateLimiter


async def _stamps(limiter: RateLimiter, chats: list[int | None]) -> list[float]:
    stamps: list[float] = []

    async def one(chat: int | None) -> None:
        await limiter.acquire(chat)
        stamps.append(time.time())

    await asyncio.gather(*(one(chat) for chat in chats))
    return stamps


async def test_a_round_of_many_never_bursts_past_the_limit():
    # A bucket that starts full let twice the limit through in one rolling second.
    limiter = RateLimiter(40, 100, 100)
    stamps = await _stamps(limiter, [None] * 100)
    assert most_in_any_window(stamps) <= 40


async def test_one_chat_gets_its_burst_then_its_rate():
    limiter = RateLimiter(1000, 2, 3)
    stamps = sorted(await _stamps(limiter, [7] * 7))
    assert stamps[2] - stamps[0] < 0.3  # the burst of three goes at once
    assert stamps[6] - stamps[2] >= 4 / 2 - 0.05  # then two a second


async def test_other_chats_do_not_wait_for_a_busy_one():
    limiter = RateLimiter(1000, 1, 1)
    await limiter.acquire(7)
    started = time.time()
    await limiter.acquire(8)
    assert time.time() - started < 0.5


async def test_a_pause_holds_everything_until_it_ends():
    limiter = RateLimiter(1000, 100, 100)
    await limiter.acquire(None)
    limiter.pause(0.5)
    started = time.time()
    await limiter.acquire(None)
    assert time.time() - started >= 0.5 - 0.01


async def test_a_slot_used_too_late_is_given_up():
    pace = LocalPace()
    limiter = RateLimiter(10, 100, 100, pace=pace)
    await limiter.acquire(None)
    # A slot reserved earlier and forgotten (as if the loop stalled) is not used now.
    limiter._slots.append(time.time() - 10 * LATE_TOLERANCE)
    before = pace._next_at
    await limiter.acquire(None)
    assert pace._next_at > before  # a fresh slot was reserved instead


async def test_chats_gone_quiet_are_forgotten():
    now = [0.0]
    limiter = RateLimiter(1e6, 1000, 1, monotonic=lambda: now[0])
    for chat in range(10_002):
        await limiter.acquire(chat)
    now[0] += 60
    await limiter.acquire(-1)
    assert len(limiter._chats) == 1
