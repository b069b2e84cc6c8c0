"""The global send budget shared by workers: slots on one clock in the database.

Two limiters over one database stand for two worker processes (each has its own
connection pool, as a process would); what they let through together must keep
every rolling second within the limit, and a 429 seen by one must hold back both.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bench.common import most_in_any_window
from bot.db.database import Database
from bot.delivery.ratelimit import RateLimiter, SharedPace

RATE = 50.0


async def _send(limiter: RateLimiter, count: int, stamps: list[float]) -> None:
    for _ in range(count):
        await limiter.acquire(None)
        stamps.append(time.time())


async def _second_worker(database_url: str, vault) -> Database:
    return await Database.open(database_url, vault)


async def test_reservations_never_overlap_and_move_the_clock_on(db):
    async with db.transaction() as repos:
        first = await repos.pace.reserve(3, 0.5, not_before=1000.0)
        second = await repos.pace.reserve(2, 0.5, not_before=1000.0)
        later = await repos.pace.reserve(1, 0.5, not_before=5000.0)
    assert (first, second, later) == (1000.0, 1001.5, 5000.0)


async def test_two_workers_together_keep_every_second_within_the_limit(db, database_url, vault):
    other = await _second_worker(database_url, vault)
    try:
        stamps: list[float] = []
        workers = [
            RateLimiter(RATE, 100, 100, pace=SharedPace(db)),
            RateLimiter(RATE, 100, 100, pace=SharedPace(other)),
        ]
        # Each worker sends in rounds of many at once, as the sender does.
        await asyncio.gather(*(_send(limiter, 10, stamps) for limiter in workers for _ in range(8)))
    finally:
        await other.close()
    assert len(stamps) == 160
    assert most_in_any_window(stamps) <= RATE


async def test_a_pause_in_one_worker_holds_back_the_other(db, database_url, vault):
    other = await _second_worker(database_url, vault)
    try:
        told, bystander = (
            RateLimiter(RATE, 100, 100, pace=SharedPace(db)),
            RateLimiter(RATE, 100, 100, pace=SharedPace(other)),
        )
        await told.acquire(None)
        told.pause(1.0)
        paused_at = time.time()
        await told.acquire(None)  # carries the pause to the shared clock
        await bystander.acquire(None)
        waited = time.time() - paused_at
    finally:
        await other.close()
    assert waited >= 1.0 - 0.01


@pytest.mark.parametrize("count", [1, 7])
async def test_slots_are_spaced_evenly(db, count):
    async with db.transaction() as repos:
        first = await repos.pace.reserve(count, 0.25, not_before=10.0)
        after = await repos.pace.reserve(1, 0.25, not_before=10.0)
    assert after - first == pytest.approx(count * 0.25)
