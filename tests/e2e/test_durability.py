"""Nothing lost, nothing twice: duplicate delivery, API outages, blocked users, and
kill -9 of a real bot process at several points of onboarding."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text
from telegram import Bot

from bot.clock import ManualClock
from bot.crypto import Vault
from bot.db.database import Database
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.sender import LEASE, SEND_WINDOW, Sender
from tests.e2e.crashes import bot_in_a_process, expire_leases, pending, settled, watching
from tests.e2e.harness import (
    TOKEN,
    answer,
    expect,
    label,
    onboard,
    say,
    wait_until_inactive,
    words,
)
from tests.e2e.journeys import onboarded


async def test_an_update_delivered_twice_is_handled_once(bot, emu):
    sam = await emu.create_user("Sam")
    first = await sam.send("/start")
    await expect(sam, "onboarding.welcome", after=first["message_id"])
    update = {
        "update_id": 9_000,
        "message": {
            "message_id": 500,
            "date": 0,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            "from": {"id": sam.id, "is_bot": False, "first_name": "Sam"},
            "chat": {"id": sam.id, "type": "private", "first_name": "Sam"},
        },
    }
    await emu.inject_update(update)
    await emu.inject_update(update)
    await expect(sam, "help")
    await say(sam, "/privacy", "privacy")  # later input is answered, so the duplicate was seen
    helps = [m for m in await sam.bot_messages() if words("help") in m["text"]]
    assert len(helps) == 1


async def test_replies_survive_a_bot_api_outage_and_arrive_once(bot, emu):
    sam = await emu.create_user("Sam")
    await emu.set_faults(
        status=502, seconds=2.0, methods=["sendMessage", "editMessageText", "answerCallbackQuery"]
    )
    await onboard(sam)
    await emu.clear_faults()
    texts = Counter(m["text"] for m in await sam.bot_messages())
    assert max(texts.values()) == 1
    statuses = Counter(c["status"] for c in await emu.log() if c["method"] == "sendMessage")
    assert statuses[502] > 0, "the outage really happened"


def _command(update_id: int, user, command: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        },
    }


async def test_updates_a_dead_worker_stored_are_picked_up_by_a_live_one(bot, emu):
    sam = await emu.create_user("Sam")
    first = await sam.send("/start")
    await expect(sam, "onboarding.welcome", after=first["message_id"])
    now = bot.clock.now()
    # Stored by another worker, acknowledged to Telegram, and then that worker died.
    async with bot.db.transaction() as repos:
        await repos.inbox.add(
            [(9_100, sam.id, _command(9_100, sam, "/help"))], now - timedelta(seconds=30)
        )
        await repos.inbox.add(
            [(9_101, sam.id, _command(9_101, sam, "/privacy"))], now - timedelta(seconds=29)
        )
    assert await bot.hand_over_stranded() == 1  # one hand-over drains the user's rows
    await expect(sam, "help")
    await expect(sam, "privacy")
    # Freshly stored updates are their receiving worker's to hand over, not the sweep's.
    async with bot.db.transaction() as repos:
        await repos.inbox.add([(9_102, sam.id, _command(9_102, sam, "/help"))], now)
        assert await repos.inbox.users_with_pending(now - timedelta(seconds=15)) == []
        assert await repos.inbox.users_with_pending() == [sam.id]


async def test_retry_after_is_honoured(bot, emu):
    # The bot under test may burst 20 messages a chat; this Telegram allows one a second.
    sam = await emu.create_user("Sam")
    await onboarded(bot, sam)
    await emu.set_rate_limits(True, per_chat_burst=1, global_per_second=30)
    for command in ("/help", "/privacy", "/sos", "/menu"):
        await sam.send(command)
    await expect(sam, "menu.text", after=(await sam.bot_messages())[-1]["message_id"])
    log = await emu.log()
    assert any(c["status"] == 429 for c in log), "flood control really kicked in"
    messages = await sam.bot_messages()
    for key in ("help", "privacy", "sos"):
        assert sum(words(key) in m["text"] for m in messages) == 1, key


async def test_a_user_who_blocks_the_bot_is_marked_inactive_until_they_return(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await sam.block()
    assert await wait_until_inactive(bot, sam.id)
    await sam.unblock()
    await say(sam, "/menu", "menu.text")
    async with bot.db.transaction() as repos:
        assert (await repos.users.get(sam.id)).is_active


# ------------------------------------------------------------------ kill -9


@pytest.fixture
async def bot_process(emulator, database_url, vault_key):
    async with bot_in_a_process(emulator.url, database_url, vault_key) as process:
        yield process


@pytest.fixture
async def engine(database_url):
    async with watching(database_url) as engine:
        yield engine


async def _kill_while_sending(bot_process, emu, engine, act) -> None:
    """The decision is committed, the reply is on its way, and the process dies."""
    # Earlier replies must be marked sent first, or the kill would catch one of them
    # in the moment between Telegram taking it and our record of that (at-least-once).
    for _ in range(200):
        if (await pending(engine))[1] == 0:
            break
        await asyncio.sleep(0.05)
    await emu.set_faults(
        stall_seconds=30, count=1, drop=True, methods=["sendMessage", "editMessageText"]
    )
    await act()
    for _ in range(200):
        inbox, outbox = await pending(engine)
        if inbox == 0 and outbox > 0:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # the sender is now waiting on the stalled call
    await bot_process.kill()
    await emu.clear_faults()
    await expire_leases(engine)  # the dead process's claim would only cost waiting time
    await bot_process.start()


async def _kill_before_storing(bot_process, emu, engine, act) -> None:
    """The update was fetched but the database would not take it; the process dies."""
    await settled(engine)  # a reply still being sent would be a different test
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            await connection.execute(text("LOCK TABLE inbox IN EXCLUSIVE MODE"))
        await act()
        await asyncio.sleep(1.0)  # long enough for getUpdates to return it
        await bot_process.kill()
        await connection.rollback()
    await bot_process.start()


async def _kill_idle(bot_process, emu, engine, act) -> None:
    """Killed between conversations; the user writes while the bot is down."""
    await settled(engine)
    await bot_process.kill()
    await act()
    await bot_process.start()


KILLS = {"sending": _kill_while_sending, "before-storing": _kill_before_storing, "idle": _kill_idle}


@pytest.mark.slow
@pytest.mark.parametrize("how", list(KILLS))
async def test_kill_9_during_onboarding_loses_nothing_and_repeats_nothing(
    bot_process, emu, engine, how
):
    kill = KILLS[how]
    sam = await emu.create_user("Sam")
    await say(sam, "/start", "onboarding.welcome")
    await answer(sam, "onboarding.begin", "onboarding.consent")
    await kill(bot_process, emu, engine, lambda: sam.press(label("onboarding.consent_yes")))
    await expect(sam, "onboarding.role")
    await answer(sam, "onboarding.role_hurt", "onboarding.causes")
    await sam.press(label("causes.financial"))
    await answer(sam, "onboarding.causes_done", "onboarding.hopes")
    await kill(bot_process, emu, engine, lambda: sam.send("We want honesty"))
    await expect(sam, "onboarding.safety")
    await answer(sam, "onboarding.safety_no", "onboarding.zone")
    await kill(bot_process, emu, engine, lambda: sam.send("Lisbon"))
    await expect(sam, "onboarding.zone_confirm")
    await answer(sam, "onboarding.zone_confirm_yes", "onboarding.reminder")
    await answer(sam, "onboarding.reminder_morning", "menu.text")

    messages = await sam.bot_messages()
    texts = Counter(m["text"] for m in messages)
    assert max(texts.values()) == 1, "\n---\n".join(m["text"][:60] for m in messages)
    for key in ("onboarding.role", "onboarding.safety", "onboarding.zone_confirm"):
        assert sum(words(key) in m["text"] for m in messages) == 1, key
    async with engine.connect() as connection:
        onboarded, zone = (
            await connection.execute(
                text("SELECT onboarded_at, time_zone FROM users WHERE id = :id"), {"id": sam.id}
            )
        ).one()
    assert onboarded is not None and zone == "Europe/Lisbon"


class _SlotAfterTheSendWindow(RateLimiter):
    """A slot that comes only after the claim's send window has passed (a long queue)."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(1000, 1000, 1000)
        self._clock = clock

    async def acquire(self, chat_id: int | None) -> None:
        self._clock.advance(seconds=(LEASE - SEND_WINDOW).total_seconds() + 1)
        await super().acquire(chat_id)


async def test_a_call_that_waited_past_its_send_window_is_given_back_unsent(
    emulator, emu, database_url, vault_key
):
    # Sent so late, another worker could claim it when the lease ends, mid-send: twice.
    sam = await emu.create_user("Sam")
    clock = ManualClock()
    db = await Database.open(database_url, Vault([vault_key]))
    bot = Bot(TOKEN, base_url=f"{emulator.url}/bot")
    await bot.initialize()
    try:
        async with db.transaction() as repos:
            await repos.outbox.add(
                sam.id, "sendMessage", {"chat_id": sam.id, "text": "hi"}, clock.now()
            )
        late = Sender(db, bot, clock, _SlotAfterTheSendWindow(clock), timedelta(hours=1))
        assert await late.deliver_due() == 0
        assert await sam.bot_messages() == []
        # Given back at once, not left to its lease: the next claim takes it, and sends it.
        prompt = Sender(db, bot, clock, RateLimiter(1000, 1000, 1000), timedelta(hours=1))
        assert await prompt.deliver_due() == 1
        assert [m["text"] for m in await sam.bot_messages()] == ["hi"]
    finally:
        await bot.shutdown()
        await db.close()
