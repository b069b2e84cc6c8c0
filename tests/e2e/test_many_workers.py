"""Three webhook workers behind one round-robin balancer, one PostgreSQL, for real.

Two hundred people are mid-conversation at once, each waiting for every reply
as a person would, while sixty others' nudges fall due and the scheduler
ticks in every worker; in the middle of it one worker is killed with kill -9
and not restarted, with updates it had stored and not yet handled (the
nudged ask for /help while the test holds their rows, so every worker's
turn for them waits): the others must pick those up. Telegram (the
emulator) pushes updates to the balancer, many at once but one at a time
per chat, and keeps flood control on at 30 messages a second for the whole
bot. Afterwards:

- every conversation holds exactly the expected replies, in order, none
  twice, none missing, and every update was handled once;
- every due nudge was sent exactly once, and each /help answered once;
- the emulator never saw more than 30 messages in any second, and answered
  none of them 429: the budget is the bot's, shared by its workers.

The kill steps around the one window no bot can close (Telegram took a
message, the worker had not recorded it yet): see tests/e2e/crashes.py.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import most_in_any_window
from bot.crypto import Vault
from bot.db.database import Database
from playground.client import EmulatorClient, SimUser
from tests.db.seeding import seed_due_users
from tests.e2e.crashes import (
    AnsweredCalls,
    kill_outside_the_window,
    recorded_per_chat,
    settled,
    watching,
)
from tests.e2e.harness import answer, expect, say, words
from tests.e2e.workers import WebhookWorker, behind_a_balancer, emulator_apart

pytestmark = pytest.mark.slow  # crash, fault and many-worker runs: `make test-fast` skips them

WORKERS = 3
PEOPLE = 200
NUDGED = 60
NUDGED_FIRST_ID = 5_000_000
# Of the nudged, those who ask for /help while their rows are held. Each waiting turn
# holds one of its worker's 20 database connections (bot/db/engine.py), so a few per
# worker: with all of them waiting, the webhook could not store anything meanwhile.
ASKERS = 15
GLOBAL_PER_SECOND = 30
# A worker's death strands what it stored but had not handled (picked up by the others'
# sweep) and what it claimed but had not sent (its outbox lease runs out): minutes, no.
STEP_TIMEOUT = 90.0
# (what the person does, what they do it with, the reply they wait for)
STEPS = (
    (say, "/start", "onboarding.welcome"),
    (answer, "onboarding.begin", "onboarding.consent"),
    (answer, "onboarding.consent_yes", "onboarding.role"),
)
EXPECTED = [reply for _, _, reply in STEPS]
# The calls Telegram's flood control counts (the emulator's too: see BotApi._admit).
COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)


class Progress:
    """Steps done by everyone together, to kill a worker when the crowd is mid-way."""

    def __init__(self) -> None:
        self.done = 0
        self._changed = asyncio.Event()

    def step(self) -> None:
        self.done += 1
        self._changed.set()

    async def reached(self, count: int) -> None:
        while self.done < count:
            self._changed.clear()
            await self._changed.wait()


async def converse(person: SimUser, progress: Progress) -> None:
    for act, what, reply in STEPS:
        await act(person, what, reply, timeout=STEP_TIMEOUT)
        progress.step()


async def make_nudges_due(database_url: str, vault_key: str, emu: EmulatorClient) -> list[SimUser]:
    """NUDGED onboarded people whose daily nudge is due now, in the database and the chat."""
    first = NUDGED_FIRST_ID
    # The chats first: a tick may come as soon as the rows are there.
    chats = [await emu.create_user(f"Nudged {n}", user_id=n) for n in range(first, first + NUDGED)]
    vault = Vault([vault_key])
    db = await Database.open(database_url, vault)
    try:
        await seed_due_users(
            db, vault, NUDGED, datetime.now(UTC) - timedelta(seconds=1), first_id=first
        )
    finally:
        await db.close()
    return chats


class KillWithUpdatesWaiting:
    """kill -9 while the worker holds updates it stored and has not handled.

    The test locks the rows of *askers* and has each send /help: every worker
    stores its share and its turns wait for the rows, as behind a slow
    database. Then the worker dies; the rows are let go. What it stored is in
    the inbox with nobody handling it, and the askers wait for their answer.
    Used as the process given to kill_outside_the_window, so the kill still
    steps around the window where Telegram took a message not yet recorded.
    """

    def __init__(self, worker: WebhookWorker, engine: AsyncEngine, askers: list[SimUser]) -> None:
        self._worker, self._engine, self._askers = worker, engine, askers

    async def kill(self) -> None:
        ids = [asker.id for asker in self._askers]
        async with self._engine.connect() as held:
            await held.execute(
                text("SELECT id FROM users WHERE id = ANY(:ids) FOR UPDATE"), {"ids": ids}
            )
            for asker in self._askers:
                await asker.send("/help")
            for _ in range(600):
                if await waiting(self._engine, ids) == len(ids):
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the workers never stored the askers' updates")
            await self._worker.kill()
            await held.rollback()


async def explain(engine: AsyncEngine, calls: list[dict], chats: list[int]) -> str:
    """What the outbox holds and what the emulator was sent, for a few chats gone wrong
    (times in seconds from the first call the bot made)."""
    start = calls[0]["at"] if calls else 0.0
    lines = []
    async with engine.connect() as connection:
        for chat in chats[:5]:
            rows = await connection.execute(
                text(
                    "SELECT id, method, status, attempts, created_at FROM outbox "
                    "WHERE chat_id = :chat ORDER BY id"
                ),
                {"chat": chat},
            )
            lines.append(f"chat {chat}: outbox (id, method, status, attempts, queued at)")
            lines.extend(f"  {(*row[:4], round(row[4].timestamp() - start, 3))}" for row in rows)
            lines.extend(
                f"  emulator #{c['seq']} {c['method']} {c['status']} at {c['at'] - start:.3f}"
                for c in calls
                if c["chat_id"] == chat
            )
    return "\n".join(lines)


async def waiting(engine: AsyncEngine, user_ids: list[int]) -> int:
    """Updates of these users stored and not handled."""
    return await scalar(
        engine,
        "SELECT count(*) FROM inbox WHERE handled_at IS NULL AND user_id = ANY(:ids)",
        ids=user_ids,
    )


def off_script(person_messages: list[dict]) -> bool:
    texts = [message["text"] or "" for message in person_messages]
    return len(texts) != len(EXPECTED) or not all(
        words(key) in shown for key, shown in zip(EXPECTED, texts, strict=True)
    )


async def scalar(engine, sql: str, **params) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar_one()


# Paced at 30 messages a second for the whole bot, the run takes a minute or more, and
# longer on a busy machine: room beyond the suite's usual two minutes.
@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_three_workers_keep_every_conversation_in_order_and_lose_nothing_to_a_kill(
    database_url, vault_key, tmp_path
):
    started = time.monotonic()
    # One connection per person waiting: aiohttp's default of 100 would queue them.
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=120)
    )
    async with (
        http,
        emulator_apart() as emulator_url,
        EmulatorClient(emulator_url, http) as emu,
        behind_a_balancer(
            WORKERS,
            emulator_url,
            database_url,
            vault_key,
            tmp_path,
            SEND_GLOBAL_PER_SECOND=str(GLOBAL_PER_SECOND),
            NUDGE_TICK_SECONDS="1",
        ) as deployment,
        watching(database_url) as engine,
    ):
        ready = time.monotonic()
        await emu.set_rate_limits(True, per_chat_burst=1_000, global_per_second=GLOBAL_PER_SECOND)
        answered = AnsweredCalls(emu)
        people = [await emu.create_user(f"Person {n}") for n in range(PEOPLE)]
        progress = Progress()
        talks = [asyncio.create_task(converse(person, progress)) for person in people]
        nudged = await make_nudges_due(database_url, vault_key, emu)
        nudged_ids = [chat.id for chat in nudged]

        await progress.reached(PEOPLE * len(STEPS) // 3)
        killed_at = progress.done
        askers = nudged[:ASKERS]
        hold_began = time.time()
        try:
            await kill_outside_the_window(
                KillWithUpdatesWaiting(deployment.workers[0], engine, askers), emu, answered, engine
            )
        except AssertionError:
            recorded = await recorded_per_chat(engine)
            apart = [chat for chat, count in answered.per_chat.items() if recorded[chat] != count]
            print(await explain(engine, await emu.log(), apart))
            for task in talks:
                task.cancel()
            raise
        hold_ended = time.time()
        helped = [
            asyncio.create_task(expect(chat, "help", timeout=STEP_TIMEOUT)) for chat in askers
        ]
        await asyncio.sleep(3)  # the live workers' share is handled by now
        stranded = await waiting(engine, nudged_ids)
        try:
            await asyncio.gather(*talks, *helped)
            await settled(engine, tries=1_200)
        except BaseException:
            for task in (*talks, *helped):
                task.cancel()
            print(
                f"\n{stranded} updates stranded by the kill; "
                f"{await waiting(engine, nudged_ids)} still waiting\n{deployment.logs()}"
            )
            raise
        talked = time.monotonic()
        calls = await emu.log()
        counted = [c for c in calls if c["method"] in COUNTED and c["status"] in (200, 429)]
        too_many = sum(c["status"] == 429 for c in counted)
        stamps = sorted(c["at"] for c in counted)
        peak = most_in_any_window(stamps)
        print(
            f"\nmany workers: start {ready - started:.1f} s, conversations and nudges "
            f"{talked - ready:.1f} s, killed after {killed_at} of {PEOPLE * len(STEPS)} "
            f"steps (calls held from {hold_began - stamps[0]:.1f} s to "
            f"{hold_ended - stamps[0]:.1f} s), {stranded} updates stranded; "
            f"{len(counted)} counted calls in "
            f"{stamps[-1] - stamps[0]:.1f} s, "
            f"peak {peak}/s, {too_many} x 429; "
            f"balancer {dict(deployment.balancer.served)}, "
            f"{deployment.balancer.bad_gateways} x 502"
        )
        assert stranded > 0, "the killed worker left updates behind"

        # Every conversation: the expected replies, in order, nothing twice or missing.
        transcripts = {person.id: await person.bot_messages() for person in people}
        wrong = [pid for pid, messages in transcripts.items() if off_script(messages)]
        if wrong:
            print(await explain(engine, calls, wrong))
        assert not wrong, (
            f"{len(wrong)} of {PEOPLE} conversations went wrong, e.g. "
            f"{[m['text'][:50] for m in transcripts[wrong[0]]]}"
        )
        assert await scalar(engine, "SELECT count(*) FROM inbox") == PEOPLE * len(STEPS) + ASKERS
        # A repeated edit would be refused "not modified". (A button's toast may come
        # too late for its query after the kill; it is not kept, and not counted here.)
        refused = Counter(
            c["method"] for c in calls if c["status"] == 400 and c["method"] in COUNTED
        )
        assert not refused, f"calls refused: {refused}"

        # Every due nudge, and every /help, exactly once.
        for chat in nudged:
            texts = [message["text"] or "" for message in await chat.bot_messages()]
            asked = chat in askers
            assert len(texts) == 1 + asked, (chat, texts)
            assert sum(words("nudges.empathy") in shown for shown in texts) == 1, (chat, texts)
            assert sum(words("help") in shown for shown in texts) == asked, (chat, texts)
        assert (
            await scalar(
                engine,
                "SELECT count(*) FROM nudges_sent WHERE user_id >= :first",
                first=NUDGED_FIRST_ID,
            )
            == NUDGED
        )

        # The kill was felt: the dead worker's share came back 502 and went elsewhere.
        assert deployment.balancer.bad_gateways > 0
        assert all(deployment.balancer.served[w.url] > 0 for w in deployment.workers)

        # Telegram's budget is per bot, not per worker.
        assert too_many == 0, f"{too_many} calls over the global limit"
        assert peak <= GLOBAL_PER_SECOND
