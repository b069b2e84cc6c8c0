"""A person's data rights end to end, two linked partners each time: /export sends a JSON
document holding what the person wrote and nothing private of the partner; /delete leaves
no row naming them (every table checked through the models' metadata), the partner keeps
the agreement both accepted and is sent nothing; /erase also clears the chat's recent
messages and says so; both come back to a fresh start, and old buttons are answered kindly."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, date, datetime

import aiohttp
from sqlalchemy import BigInteger, Integer, select, text
from sqlmodel import SQLModel

from bot.runtime import Runtime
from playground.client import SimUser
from tests.e2e.harness import answer, chat_text, expect, label, quiet, say
from tests.e2e.journeys import linked_pair, propose
from tests.e2e.test_listening import share
from tests.e2e.test_nudges import commit
from tests.e2e.test_vision import ALEX, SAM, write

AGREED = "We say when plans change"
OPEN_PROPOSAL = "Sam's proposal still waiting"
SAM_COMMITMENT = "Sam puts the phone away at dinner"
ALEX_COMMITMENT = "Alex walks for ten minutes each morning"
SAM_PART = "Sam's part: finding out shook everything I believed."
SAFETY_PLAN = {"signs": "Sam's warning signs", "who": "Sam's sister"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def rows_naming(bot: Runtime, user_id: int) -> list[tuple[str, dict]]:
    """Every row of every table that holds *user_id* in an integer column."""
    found = []
    async with bot.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, Integer | BigInteger):
                    rows = await connection.execute(select(table).where(column == user_id))
                    found.extend(
                        (f"{table.name}.{column.name}", dict(row._mapping)) for row in rows
                    )
    return found


async def delivered(bot: Runtime, chat_id: int) -> None:
    """Until nothing waits in the chat's outbox: every message has its id recorded."""
    for _ in range(200):
        async with bot.db.engine.connect() as connection:
            waiting = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM outbox WHERE chat_id = :chat AND status = 'pending'"
                    ),
                    {"chat": chat_id},
                )
            ).scalar()
        if not waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"chat {chat_id} still has messages waiting")


async def full_lives(bot: Runtime, emu) -> tuple[SimUser, SimUser, dict]:
    """Two linked partners with an accepted agreement, an open proposal, a commitment each,
    new-vision answers each, a listening part, a weekly check-in and a safety plan; and
    the partner's message asking about the open proposal."""
    sam, alex = await linked_pair(bot, emu)
    await propose(sam, AGREED, why="Surprises hurt")
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.accept", "ledger.accepted")
    last = (await alex.last_bot_message())["message_id"]
    await propose(sam, OPEN_PROPOSAL)
    waiting = await expect(alex, "ledger.notify", after=last)
    await asyncio.gather(
        commit(sam, SAM_COMMITMENT, visible=False), commit(alex, ALEX_COMMITMENT, visible=False)
    )
    await write(sam, SAM, "vision.saved_waiting")
    await write(alex, ALEX, "vision.choose")
    await share(sam, SAM_PART)
    async with bot.db.transaction() as repos:
        await repos.commitments.save_week(sam.id, date(2026, 1, 5), {"safe": 4}, datetime.now(UTC))
        await repos.reflections.add(sam.id, "safety_plan", SAFETY_PLAN, datetime.now(UTC))
    return sam, alex, waiting


async def exported(emulator, user: SimUser) -> tuple[dict, str]:
    sent = await user.send("/export")
    message = await expect(user, "rights.export_caption", after=sent["message_id"])
    assert message["kind"] == "document"
    async with (
        aiohttp.ClientSession() as session,
        session.get(emulator.url + message["file_url"]) as response,
    ):
        raw = await response.text()
    return json.loads(raw), raw


def all_strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return [value] if isinstance(value, str) else []


async def test_export_then_delete_leaves_the_partner_what_both_accepted_and_no_word(
    bot, emu, emulator
):
    sam, alex, waiting = await full_lives(bot, emu)

    document, raw = await exported(emulator, sam)
    assert (document["format"], document["version"]) == ("kintsugi-export", 1)
    assert document["answers_and_settings"]["hopes"] == "To trust each other again"
    versions = {v["text"]: v for a in document["agreements"] for v in a["versions"]}
    assert versions[AGREED]["shared"] and versions[AGREED]["why"] == "Surprises hurt"
    assert not versions[OPEN_PROPOSAL]["shared"]
    assert versions[OPEN_PROPOSAL]["proposed_to"] == "partner"
    assert [c["text"] for c in document["commitments"]] == [SAM_COMMITMENT]
    kinds = {r["kind"]: r["answers"] for r in document["reflections"]}
    assert kinds["safety_plan"] == SAFETY_PLAN
    assert set(SAM) <= set(all_strings(kinds["vision"]))
    assert SAM_PART in all_strings(document["listening"])
    assert document["weekly_checkins"][0]["ratings"] == {"safe": 4}
    assert [link["current"] for link in document["links"]] == [True]
    for private in (*ALEX, ALEX_COMMITMENT, str(alex.id), "Alex"):
        assert private not in raw, f"the export holds {private!r} of the partner"
    assert ISO_UTC.match(document["exported_at"])
    assert ISO_UTC.match(versions[AGREED]["created_at"])

    await alex.press(label("ledger.counter"), message_id=waiting["message_id"])
    await expect(alex, "ledger.counter_prompt", after=waiting["message_id"])
    alex_saw = await quiet(alex)
    await say(sam, "/delete", "rights.delete_confirm")
    await delivered(bot, sam.id)
    before = datetime.now(UTC).replace(microsecond=0)
    await answer(sam, "rights.delete_yes", "rights.deleted")
    await quiet(sam)
    assert len(await alex.bot_messages()) == alex_saw  # the partner is sent nothing
    async with bot.db.transaction() as repos:  # nor left looking at the leaver's words
        assert (await repos.users.get(alex.id)).session is None
    for where, row in await rows_naming(bot, sam.id):
        # Only the reply to the delete itself, its words already gone once sent.
        assert where == "outbox.chat_id" and row["payload_sealed"] is None, (where, row)
        assert row["created_at"] >= before

    overview = await say(alex, "/agreements", "ledger.overview")
    assert AGREED in overview["text"] and OPEN_PROPOSAL not in overview["text"]
    await say(alex, "/partner", "link.not_linked")
    async with bot.db.transaction() as repos:
        assert [c.text for c in await repos.commitments.of_user(alex.id)] == [ALEX_COMMITMENT]

    await old_buttons_are_answered_kindly(sam)
    await say(sam, "/start", "onboarding.welcome")


async def old_buttons_are_answered_kindly(user: SimUser) -> None:
    menu = next(
        m
        for m in reversed(await user.bot_messages())
        if label("menu.button_steps") in SimUser.buttons(m)
    )
    await user.press(label("menu.button_steps"), message_id=menu["message_id"])
    await expect(user, "common.needs_onboarding", after=menu["message_id"])
    last = (await user.last_bot_message())["message_id"]
    await user.press(callback_data="f3:yes", message_id=menu["message_id"], forge=True)
    await expect(user, "menu.not_ready", after=last)


async def test_erase_deletes_everything_and_the_recent_messages_and_says_so(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await propose(sam, AGREED)
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.accept", "ledger.accepted")
    await commit(sam, SAM_COMMITMENT, visible=True)
    alex_saw = await quiet(alex)

    await say(sam, "/erase", "rights.erase_confirm")
    await delivered(bot, sam.id)
    await sam.press(label("rights.erase_yes"))
    erased = await expect(sam, "rights.erased")
    await quiet(sam)

    chat = await sam.chat()
    left = [m for m in chat["messages"] if not m["deleted"]]
    assert [m["message_id"] for m in left] == [erased["message_id"]]
    removed = len(chat["messages"]) - 1
    assert f"our last {removed} messages" in erased["text"]
    assert SAM_COMMITMENT not in await chat_text(sam)
    assert len(await alex.bot_messages()) == alex_saw
    assert {where for where, _ in await rows_naming(bot, sam.id)} <= {"outbox.chat_id"}
    overview = await say(alex, "/agreements", "ledger.overview")
    assert AGREED in overview["text"]

    await say(sam, "/start", "onboarding.welcome")
