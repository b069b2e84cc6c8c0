"""Three webhook workers behind one round-robin balancer, one PostgreSQL, for real.

Two hundred people are mid-conversation at once, each waiting for every reply
as a person would, while a hundred others' nudges fall due and the scheduler
ticks in every worker; in the middle of it one worker is killed with kill -9
and not restarted. Telegram (the emulator) pushes updates to the balancer,
many at once but one at a time per chat, and keeps flood control on at 30
messages a second for the whole bot. Afterwards:

- every conversation holds exactly the expected replies, in order, none
  twice, none missing, and every update was handled once;
- every due nudge was sent exactly once;
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

from bench.emulator_proc import _peak_window
from bot.crypto import Vault
from bot.db.database import Database
from playground.client import EmulatorClient, SimUser
from tests.db.seeding import seed_due_users
from tests.e2e.crashes import AnsweredCalls, kill_outside_the_window, settled, watching
from tests.e2e.harness import answer, say, words
from tests.e2e.workers import behind_a_balancer

WORKERS = 3
PEOPLE = 200
NUDGED = 100
NUDGED_FIRST_ID = 5_000_000
GLOBAL_PER_SECOND = 30
# A worker's death strands what it stored but had not handled (picked up by the others'
# sweep) and what it claimed but had not sent (its outbox lease runs out): minutes, no.
STEP_TIMEOUT = 90.0
# (what the person does, what they do it with, the reply they wait for)
STEPS = (
    (say, "/start", "onboarding.welcome"),
    (answer, "onboarding.begin", "onboarding.consent"),
    (answer, "onboarding.consent_yes", "onboarding.role"),
    (answer, "onboarding.role_hurt", "onboarding.causes"),
)
EXPECTED = [reply for _, _, reply in STEPS]
# The calls Telegram's flood control counts (the emulator's too: see BotApi._admit).
COUNTED = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText",
                     "editMessageCaption", "editMessageReplyMarkup"})


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


async def make_nudges_due(database_url: str, vault_key: str, emu: EmulatorClient) -> list[int]:
    """NUDGED onboarded people whose daily nudge is due now, in the database and the chat."""
    ids = list(range(NUDGED_FIRST_ID, NUDGED_FIRST_ID + NUDGED))
    for user_id in ids:  # the chats first: a tick may come as soon as the rows are there
        await emu.create_user(f"Nudged {user_id}", user_id=user_id)
    vault = Vault([vault_key])
    db = await Database.open(database_url, vault)
    try:
        await seed_due_users(db, vault, NUDGED, datetime.now(UTC) - timedelta(seconds=1),
                             first_id=NUDGED_FIRST_ID)
    finally:
        await db.close()
    return ids


def off_script(person_messages: list[dict]) -> bool:
    texts = [message["text"] or "" for message in person_messages]
    return len(texts) != len(EXPECTED) or not all(
        words(key) in shown for key, shown in zip(EXPECTED, texts, strict=True))


async def scalar(engine, sql: str, **params) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar_one()


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
async def test_three_workers_keep_every_conversation_in_order_and_lose_nothing_to_a_kill(
        emulator, database_url, vault_key, tmp_path):
    started = time.monotonic()
    emulator.limiter.configure(enabled=True, per_chat_burst=1_000,
                               global_per_second=GLOBAL_PER_SECOND)
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                 timeout=aiohttp.ClientTimeout(total=120))
    async with (
        http,
        EmulatorClient(emulator.url, http) as emu,
        behind_a_balancer(WORKERS, emulator.url, database_url, vault_key, tmp_path,
                          SEND_GLOBAL_PER_SECOND=str(GLOBAL_PER_SECOND),
                          NUDGE_TICK_SECONDS="1") as deployment,
        watching(database_url) as engine,
    ):
        ready = time.monotonic()
        answered = AnsweredCalls(emu)
        people = [await emu.create_user(f"Person {n}") for n in range(PEOPLE)]
        progress = Progress()
        talks = [asyncio.create_task(converse(person, progress)) for person in people]
        nudged = await make_nudges_due(database_url, vault_key, emu)

        await progress.reached(PEOPLE * len(STEPS) // 3)
        killed = deployment.workers[0]
        await kill_outside_the_window(killed, emu, answered, engine)
        killed_at = progress.done
        try:
            await asyncio.gather(*talks)
            await settled(engine, tries=1_200)
        except BaseException:
            print(deployment.logs())
            raise
        talked = time.monotonic()

        # Every conversation: the expected replies, in order, nothing twice or missing.
        transcripts = {person.id: await person.bot_messages() for person in people}
        wrong = [pid for pid, messages in transcripts.items() if off_script(messages)]
        assert not wrong, (f"{len(wrong)} of {PEOPLE} conversations went wrong, e.g. "
                           f"{[m['text'][:50] for m in transcripts[wrong[0]]]}")
        assert await scalar(engine, "SELECT count(*) FROM inbox") == PEOPLE * len(STEPS)
        calls, _ = emulator.log.since(0)
        # A repeated edit would be refused "not modified". (A button's toast may come
        # too late for its query after the kill; it is not kept, and not counted here.)
        refused = Counter(c["method"] for c in calls if c["status"] == 400
                          and c["method"] in COUNTED)
        assert not refused, f"calls refused: {refused}"

        # Every due nudge, exactly once.
        nudges = Counter(c["chat_id"] for c in calls
                         if c["method"] == "sendMessage" and c["status"] == 200
                         and c["chat_id"] in set(nudged))
        assert nudges == Counter(nudged), "each nudged chat gets one message"
        assert await scalar(engine, "SELECT count(*) FROM nudges_sent WHERE user_id >= :first",
                            first=NUDGED_FIRST_ID) == NUDGED
        for user_id in nudged[:5]:
            chat = SimUser(emu, {"id": user_id, "first_name": ""})
            assert words("nudges.empathy") in (await chat.last_bot_message())["text"]

        # The kill was felt: the dead worker's share came back 502 and went elsewhere.
        assert deployment.balancer.bad_gateways > 0
        assert all(deployment.balancer.served[w.url] > 0 for w in deployment.workers)

        # Telegram's budget is per bot, not per worker.
        counted = [c for c in calls if c["method"] in COUNTED and c["status"] in (200, 429)]
        too_many = sum(c["status"] == 429 for c in counted)
        peak = _peak_window(sorted(c["at"] for c in counted))
        print(f"\nmany workers: start {ready - started:.1f} s, conversations and nudges "
              f"{talked - ready:.1f} s, killed after {killed_at} of {PEOPLE * len(STEPS)} "
              f"steps; {len(counted)} counted calls, peak {peak}/s, {too_many} x 429; "
              f"balancer {dict(deployment.balancer.served)}, "
              f"{deployment.balancer.bad_gateways} x 502")
        assert too_many == 0, f"{too_many} calls over the global limit"
        assert peak <= GLOBAL_PER_SECOND
