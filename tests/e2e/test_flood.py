"""One person flooding (hundreds of messages as fast as they go) delays nobody else,
and is answered once, kindly; they can carry on afterwards as if nothing happened."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import text

from bot.runtime import Runtime
from bot.turn.flood import FLOOD_LIMIT
from playground.client import SimUser
from tests.e2e.harness import expect, onboard, running, words

FLOOD = 300


async def flood(user: SimUser, count: int = FLOOD) -> None:
    """As fast as the emulator takes them: every message in flight at once."""
    await asyncio.gather(*(user.send(f"message {n}") for n in range(count)))


async def inbox_of(runtime: Runtime, user: SimUser) -> dict[str, int]:
    async with runtime.db.engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT count(*) AS stored, count(handled_at) AS handled,"
                    " sum(CASE WHEN absorbed THEN 1 ELSE 0 END) AS set_aside"
                    " FROM inbox WHERE user_id = :user"
                ),
                {"user": user.id},
            )
        ).one()
    return {"stored": row.stored, "handled": row.handled, "set_aside": row.set_aside or 0}


async def drained(runtime: Runtime, user: SimUser, count: int = FLOOD) -> dict[str, int]:
    """The user's inbox once all *count* updates are in and handled."""
    for _ in range(600):
        seen = await inbox_of(runtime, user)
        if seen["handled"] >= count:
            return seen
        await asyncio.sleep(0.1)
    raise AssertionError(f"the flood was not drained: {seen}")


async def sent_out(runtime: Runtime) -> None:
    """Wait until every reply decided so far has reached the chats."""
    for _ in range(600):
        async with runtime.db.transaction() as repos:
            if await repos.outbox.count() == 0:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("replies still waiting in the outbox")


async def waiting_when_first_handled(runtime: Runtime, other: SimUser, user: SimUser) -> int:
    """How many of *user*'s updates were still waiting when *other*'s first was handled."""
    async with runtime.db.engine.connect() as connection:
        return (
            await connection.execute(
                text(
                    "SELECT count(*) FROM inbox WHERE user_id = :user AND handled_at > ("
                    " SELECT handled_at FROM inbox WHERE user_id = :other"
                    " ORDER BY update_id LIMIT 1)"
                ),
                {"user": user.id, "other": other.id},
            )
        ).scalar_one()


def flood_notices(messages: list[dict]) -> int:
    return sum(words("common.flood") in (m["text"] or "") for m in messages)


@pytest.fixture
def no_errors(caplog):
    caplog.set_level(logging.WARNING)
    yield
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_flood_waiting_ahead_of_another_user_does_not_hold_them_back(
    emulator, emu, settings, no_errors
):
    ann, ben = await emu.create_user("Ann"), await emu.create_user("Ben")
    # Both are waiting at Telegram when the bot starts, Ben's /start behind all of Ann's.
    await flood(ann)
    await ben.send("/start")
    async with running(settings) as runtime:
        await expect(ben, "onboarding.welcome")
        await onboard(ben)  # carries on while Ann's flood is worked through
        assert await waiting_when_first_handled(runtime, ben, ann) > 0, (
            "Ben's first answer waited for Ann's whole flood"
        )
        ann_inbox = await drained(runtime, ann)
        await sent_out(runtime)
        messages = await ann.bot_messages()
        # Every update answered up to the limit, then set aside with one notice.
        assert flood_notices(messages) == 1
        assert len(messages) == FLOOD_LIMIT + 2
        assert ann_inbox == {
            "stored": FLOOD,
            "handled": FLOOD,
            "set_aside": FLOOD - FLOOD_LIMIT - 1,
        }
        await onboard(ann)  # her place in the conversation is intact
        assert flood_notices(await ben.bot_messages()) == 0


async def test_a_flood_while_another_user_onboards_is_answered_once(bot, emu, no_errors):
    ann, ben = await emu.create_user("Ann"), await emu.create_user("Ben")
    await onboard(ann)
    before = (await inbox_of(bot, ann))["stored"]
    await asyncio.gather(flood(ann), onboard(ben))
    seen = await drained(bot, ann, before + FLOOD)
    assert seen["set_aside"] > 0
    await sent_out(bot)
    messages = await ann.bot_messages()
    assert flood_notices(messages) == 1
    # After a flood the conversation goes on: a calm message is answered as usual.
    await asyncio.sleep(0.2)
    sent = await ann.send("/help")
    await expect(ann, "help", after=sent["message_id"])
    assert flood_notices(await ann.bot_messages()) == 1
    assert flood_notices(await ben.bot_messages()) == 0
