"""Crash runs: kill -9 the bot during every step of the long two-partner session.

One couple plays the session against a bot left alone: the reference. A
second couple plays it while the bot process is killed once in every step,
at a random moment after the partner acted (drawn from a seed printed at the
start; CRASH_SEED replays it) and started again at once. Then the two
couples' chats must be the same, message for message (nothing lost, nothing
doubled), the database must hold the same about both (every answer, the
link, the ledger, where each session rests), and every update of the second
couple must have been handled exactly once.

The kills avoid one window on purpose: Telegram took a message and the bot
has not yet recorded that (see tests/e2e/crashes.py for why no bot can
close it). Everywhere else a kill may land: while an update is fetched or
stored, mid-turn, while a reply is on its way, during start-up, idle.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter

import pytest
from sqlalchemy import text

from bot.crypto import Vault
from bot.db.database import Database
from tests.e2e.crashes import (
    AnsweredCalls,
    bot_in_a_process,
    expire_leases,
    kill_outside_the_window,
    pending,
    settled,
    watching,
)
from tests.e2e.session import SESSION, chat, held, new_couple, play

pytestmark = pytest.mark.slow  # crash, fault and many-worker runs: `make test-fast` skips them

SEED = int(os.environ.get("CRASH_SEED", random.randrange(2**32)))
# A step takes a few hundred milliseconds: kills spread over it and the quiet after it.
LATEST_KILL_SECONDS = 0.25


@pytest.fixture
async def bot_process(emulator, database_url, vault_key):
    async with bot_in_a_process(emulator.url, database_url, vault_key, forked=True) as process:
        yield process


@pytest.fixture
async def engine(database_url):
    async with watching(database_url) as engine:
        yield engine


@pytest.mark.timeout(300)
async def test_kill_9_at_random_moments_loses_no_answer_and_doubles_nothing(
    bot_process, emu, engine, vault_key
):
    print(f"crash run seed: {SEED} (CRASH_SEED={SEED} replays it)")
    dice = random.Random(SEED)
    reference = await new_couple(emu)
    await play(reference)
    await settled(engine)

    couple = await new_couple(emu)
    answered = AnsweredCalls(emu)
    caught = Counter()  # what the bot was busy with when it died

    async def with_a_kill(step, one) -> None:
        playing = asyncio.create_task(one())
        await asyncio.sleep(dice.uniform(0, LATEST_KILL_SECONDS))
        caught[_busy_with(*await pending(engine))] += 1
        await kill_outside_the_window(bot_process, emu, answered, engine)
        if engine.dialect.name != "sqlite":
            await expire_leases(engine)
        await bot_process.start()
        await playing

    await play(couple, with_a_kill, timeout=60)
    await settled(engine)
    print(f"{sum(caught.values())} kills, the bot caught {dict(caught)}")

    assert sum(caught.values()) == len(SESSION) >= 50
    busy = caught["taking an update"] + caught["sending"]
    assert busy >= 5, f"seed {SEED}: the kills found the bot idle too often: {dict(caught)}"
    for who in ("sam", "alex"):
        assert await chat(couple[who]) == await chat(reference[who]), f"seed {SEED}: {who}"
    db = Database(engine, Vault([vault_key]))
    assert await held(db, couple) == await held(db, reference), f"seed {SEED}"
    await _every_update_handled_once(engine, couple)


def _busy_with(inbox: int, outbox: int) -> str:
    if inbox:
        return "taking an update"
    return "sending" if outbox else "waiting"


async def _every_update_handled_once(engine, couple) -> None:
    did = {couple[who].id: sum(step.who == who for step in SESSION) for who in ("sam", "alex")}
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT user_id, count(*), count(handled_at) FROM inbox "
                    "WHERE user_id IN (:sam, :alex) GROUP BY user_id"
                ),
                {"sam": couple.sam.id, "alex": couple.alex.id},
            )
        ).all()
    assert {user: (count, handled) for user, count, handled in rows} == {
        user: (count, count) for user, count in did.items()
    }
