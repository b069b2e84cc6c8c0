"""The agreements ledger end to end: propose, rounds of changes, accept, not now,
expiry, personal intentions, and every way a button could be misused."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from flows.engine import item_data
from tests.e2e.harness import answer, expect, label, onboard, running, say, words
from tests.e2e.test_linking import invite


async def linked_pair(emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.linked")
    await expect(sam, "link.invitee_accepted")
    return sam, alex


async def propose(user, wording: str, why: str | None = None) -> None:
    await say(user, "/agreements", "ledger.overview")
    await answer(user, "ledger.propose", "ledger.kind")
    await answer(user, "ledger.kind_boundary", "ledger.wording")
    await say(user, wording, "ledger.why")
    if why:
        review = await say(user, why, "ledger.review")
    else:
        review = await answer(user, "ledger.skip_why", "ledger.review")
    assert wording in review["text"]
    await answer(user, "ledger.send", "ledger.sent")


async def versions(bot) -> list[tuple]:
    async with bot.db.engine.connect() as connection:
        rows = await connection.execute(text(
            "SELECT id, number, state, proposed_by FROM agreement_versions ORDER BY id"))
        return [tuple(row) for row in rows]


async def test_propose_and_accept_puts_it_in_both_ledgers(bot, emu):
    sam, alex = await linked_pair(emu)
    await propose(sam, "We say when plans change", why="Surprises hurt")
    ask = await expect(alex, "ledger.notify")
    assert "We say when plans change" in ask["text"] and "Surprises hurt" in ask["text"]
    await answer(alex, "ledger.accept", "ledger.accepted")
    await expect(sam, "ledger.partner_accepted")
    for user in (sam, alex):
        overview = await say(user, "/agreements", "ledger.overview")
        shared = overview["text"].split(words("ledger.overview"))[1].split("Waiting")[0]
        assert "We say when plans change" in shared


async def test_changes_go_back_and_forth_until_both_accept_one_wording(bot, emu):
    sam, alex = await linked_pair(emu)
    await propose(sam, "Phones away at dinner")
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.counter", "ledger.counter_prompt")
    await say(alex, "Phones away at dinner on weekdays", "ledger.countered")
    await expect(sam, "ledger.notify_counter")
    await answer(sam, "ledger.counter", "ledger.counter_prompt")
    await say(sam, "Phones away at dinner, weekends too", "ledger.countered")
    await expect(alex, "ledger.notify_counter")
    last = (await alex.bot_messages())[-1]["message_id"]
    await alex.press(label("ledger.accept"))
    accepted = await expect(alex, "ledger.accepted", after=last)
    assert "weekends too" in accepted["text"]
    states = [row[2] for row in await versions(bot)]
    assert states == ["countered", "countered", "accepted"]
    overview = await say(sam, "/agreements", "ledger.overview")
    assert "weekends too" in overview["text"] and "on weekdays" not in overview["text"]


async def test_not_now_tells_the_proposer_and_shares_nothing(bot, emu):
    sam, alex = await linked_pair(emu)
    await propose(sam, "Weekly check-in on Sundays")
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.later", "ledger.not_now")
    await expect(sam, "ledger.partner_not_now")
    overview = await say(alex, "/agreements", "ledger.overview")
    assert "Weekly check-in" not in overview["text"]


async def test_a_double_press_a_wrong_partner_and_forged_ids_change_nothing(bot, emu):
    sam, alex = await linked_pair(emu)
    casey, drew = await emu.create_user("Casey"), await emu.create_user("Drew")
    await asyncio.gather(onboard(casey), onboard(drew))
    token, _ = await invite(casey)
    await say(drew, f"/start {token}", "link.offer")
    await answer(drew, "link.accept", "link.linked")
    await propose(casey, "Casey and Drew's private boundary")
    await propose(sam, "Sam and Alex's agreement")
    ask = await expect(alex, "ledger.notify")
    mine = next(row for row in await versions(bot) if row[3] == sam.id)[0]
    theirs = next(row for row in await versions(bot) if row[3] == casey.id)[0]

    await alex.press(label("ledger.accept"), message_id=ask["message_id"])
    await expect(alex, "ledger.accepted")
    await alex.press(label("ledger.accept"), message_id=ask["message_id"])
    await expect(alex, "ledger.already")  # a double press

    await sam.press(callback_data=item_data("v", mine, "accept"), forge=True)
    await expect(sam, "ledger.refused")  # the proposer cannot accept for the partner
    await alex.press(callback_data=item_data("v", theirs, "accept"), forge=True)
    await expect(alex, "ledger.refused")  # another couple's proposal
    await alex.press(callback_data=item_data("v", 999_999, "accept"), forge=True)
    await alex.press(callback_data=item_data("zz", theirs, "accept"), forge=True)
    await alex.press(callback_data=item_data("v", theirs, "delete"), forge=True)
    assert [row[2] for row in await versions(bot) if row[0] == theirs] == ["pending"]
    alex_chat = " ".join(m["text"] for m in await alex.bot_messages())
    assert "Casey and Drew" not in alex_chat


async def test_a_button_from_before_an_unlink_is_refused(bot, emu):
    sam, alex = await linked_pair(emu)
    await propose(sam, "Honest about money")
    ask = await expect(alex, "ledger.notify")
    await say(sam, "/unlink", "link.unlink_confirm")
    await answer(sam, "link.unlink_yes", "link.unlinked")
    await alex.press(label("ledger.accept"), message_id=ask["message_id"])
    await expect(alex, "ledger.refused")
    assert [row[2] for row in await versions(bot)] == ["pending"]


async def test_without_a_partner_a_proposal_stays_a_personal_intention(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/agreements", "ledger.overview")
    await answer(sam, "ledger.propose", "ledger.kind")
    await answer(sam, "ledger.kind_ritual", "ledger.wording")
    await say(sam, "A walk together on Saturdays", "ledger.why")
    await answer(sam, "ledger.skip_why", "ledger.review")
    await answer(sam, "ledger.send", "ledger.kept_personal")
    overview = await say(sam, "/agreements", "ledger.overview")
    assert "A walk together" in overview["text"].split("own intentions")[1]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_proposals_expire(settings, emu, clock):
    async with running(settings, clock):
        sam, alex = await linked_pair(emu)
        await propose(sam, "Text when running late")
        await expect(alex, "ledger.notify")
        clock.advance(days=15)
        await answer(alex, "ledger.accept", "ledger.expired")
