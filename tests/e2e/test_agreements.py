"""The agreements ledger end to end: propose, rounds of changes, accept, not now,
expiry, personal intentions, and every way a button could be misused."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from flows.engine import item_data
from playground.client import SimUser
from tests.e2e.harness import answer, expect, label, onboard, running, say, words
from tests.e2e.journeys import invite, linked_pair, propose


async def versions(bot) -> list[tuple]:
    async with bot.db.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, number, state, proposed_by FROM agreement_versions ORDER BY id")
        )
        return [tuple(row) for row in rows]


async def test_propose_and_accept_puts_it_in_both_ledgers(bot, emu):
    sam, alex = await linked_pair(bot, emu)
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
    sam, alex = await linked_pair(bot, emu)
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


def put_off_part(overview: dict) -> str:
    return overview["text"].split("Put off")[1].split("own intentions")[0]


async def test_not_now_puts_it_off_and_it_can_be_accepted_later(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await propose(sam, "Weekly check-in on Sundays")
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.later", "ledger.not_now")
    await expect(sam, "ledger.partner_not_now")
    for user in (sam, alex):  # not shared, and not gone either: put off, for both to see
        overview = await say(user, "/agreements", "ledger.overview")
        assert "Weekly check-in" in put_off_part(overview)
        assert "Weekly check-in" not in overview["text"].split("Waiting")[0]
    assert label("ledger.accept") not in " ".join(SimUser.buttons(overview))

    # Days later Alex comes back to it from /agreements, and accepts.
    last = (await alex.last_bot_message())["message_id"]
    await alex.press("↩ Weekly check-in on Sundays")
    await expect(alex, "ledger.put_off_detail", after=last)
    await answer(alex, "ledger.accept", "ledger.accepted")
    await expect(sam, "ledger.partner_accepted")
    overview = await say(sam, "/agreements", "ledger.overview")
    assert "Weekly check-in" in overview["text"].split("Waiting")[0]
    assert "Weekly check-in" not in put_off_part(overview)


async def test_a_proposal_put_off_can_be_answered_with_other_words(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await propose(sam, "No phones in bed")
    ask = await expect(alex, "ledger.notify")
    await answer(alex, "ledger.later", "ledger.not_now")
    # The proposal's own buttons still work: Not now again leaves it put off...
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(label("ledger.later"), message_id=ask["message_id"])
    await expect(alex, "ledger.still_put_off", after=last)
    # ...and Suggest a change sends other words back to Sam.
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(label("ledger.counter"), message_id=ask["message_id"])
    await expect(alex, "ledger.counter_prompt", after=last)
    await say(alex, "No phones in bed on weeknights", "ledger.countered")
    counter = await expect(sam, "ledger.notify_counter")
    assert "weeknights" in counter["text"]
    assert [row[2] for row in await versions(bot)] == ["countered", "pending"]


async def test_a_double_press_a_wrong_partner_and_forged_ids_change_nothing(bot, emu):
    sam, alex = await linked_pair(bot, emu)
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
    sam, alex = await linked_pair(bot, emu)
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
    await propose(sam, "A walk together on Saturdays", kind="ritual", then="ledger.kept_personal")
    overview = await say(sam, "/agreements", "ledger.overview")
    assert "A walk together" in overview["text"].split("own intentions")[1]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_proposals_expire(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        await propose(sam, "Text when running late")
        await expect(alex, "ledger.notify")
        clock.advance(days=15)
        await answer(alex, "ledger.accept", "ledger.expired")


async def shared_agreement(bot, emu, wording: str):
    sam, alex = await linked_pair(bot, emu)
    await propose(sam, wording)
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.accept", "ledger.accepted")
    return sam, alex


async def open_item(user, wording: str) -> dict:
    """Tap the item's button under /agreements; returns the item's own message."""
    await say(user, "/agreements", "ledger.overview")
    last = (await user.last_bot_message())["message_id"]
    await user.press("✎ " + wording[:39])
    return await user.wait_for_text(wording, after=last)


async def test_revising_needs_both_and_keeps_the_history(bot, emu):
    sam, alex = await shared_agreement(bot, emu, "Call if later than nine")
    await open_item(alex, "Call if later than nine")
    await answer(alex, "ledger.revise", "ledger.revise_prompt")
    await say(alex, "Call or text if later than nine", "ledger.sent")
    overview = await say(sam, "/agreements", "ledger.overview")
    assert "Call if later than nine" in overview["text"]  # unchanged until accepted
    await expect(sam, "ledger.notify_counter")
    await answer(sam, "ledger.accept", "ledger.accepted")
    await open_item(sam, "Call or text if later than nine")
    history = await answer(sam, "ledger.history", "ledger.history_text")
    assert "1. “Call if later than nine”" in history["text"]
    assert "2. “Call or text if later than nine”" in history["text"]
    assert "replaced by a newer wording" in history["text"]


async def test_retiring_needs_the_partner_to_confirm_and_is_not_deleting(bot, emu):
    sam, alex = await shared_agreement(bot, emu, "No phones in bed")
    await open_item(sam, "No phones in bed")
    await answer(sam, "ledger.retire", "ledger.retire_confirm")
    await answer(sam, "ledger.retire_yes", "ledger.retire_asked")
    await expect(alex, "ledger.retire_request")
    await answer(alex, "ledger.retire_keep", "ledger.retire_kept")
    await expect(sam, "ledger.partner_kept")
    await open_item(sam, "No phones in bed")
    await answer(sam, "ledger.retire", "ledger.retire_confirm")
    await answer(sam, "ledger.retire_yes", "ledger.retire_asked")
    last = (await alex.bot_messages())[-1]["message_id"]
    await expect(alex, "ledger.retire_request", after=last - 1)
    await alex.press(label("ledger.retire_ok"))
    await expect(alex, "ledger.retired")
    await expect(sam, "ledger.partner_retired")
    overview = await say(sam, "/agreements", "ledger.overview")
    assert "No phones in bed" in overview["text"] and "retired" in overview["text"]


async def test_after_unlink_the_ledger_is_read_only_and_a_relink_restores_it(bot, emu):
    sam, alex = await shared_agreement(bot, emu, "Honest answers about money")
    await say(alex, "/unlink", "link.unlink_confirm")
    await answer(alex, "link.unlink_yes", "link.unlinked")
    for user in (sam, alex):
        overview = await say(user, "/agreements", "ledger.overview")
        history = overview["text"].split("From an earlier link")[1]
        assert "Honest answers about money" in history
        # A read-only list does not invite edits.
        assert words("ledger.footer_read") in overview["text"]
        assert words("ledger.footer_edit") not in overview["text"]
    detail = await open_item(sam, "Honest answers about money")
    assert words("ledger.read_only") in detail["text"]
    assert label("ledger.revise") not in sam.buttons(detail)

    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.linked")
    overview = await say(alex, "/agreements", "ledger.overview")
    shared = overview["text"].split("Waiting for your answer")[0]
    assert "Honest answers about money" in shared


async def test_a_personal_intention_can_be_proposed_once_linked(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    await propose(sam, "Say thank you daily", kind="agreement", then="ledger.kept_personal")
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.linked")
    await open_item(sam, "Say thank you daily")
    await answer(sam, "ledger.share_personal", "ledger.sent")
    ask = await expect(alex, "ledger.notify")
    assert "Say thank you daily" in ask["text"]
    await answer(alex, "ledger.accept", "ledger.accepted")


async def test_someone_elses_agreement_cannot_be_opened(bot, emu):
    await shared_agreement(bot, emu, "Our boundary")
    eve = await emu.create_user("Eve")
    await onboard(eve)
    async with bot.db.engine.connect() as connection:
        agreement_id = (await connection.execute(text("SELECT id FROM agreements"))).scalar_one()
    for action in ("open", "delete"):
        await eve.press(callback_data=item_data("a", agreement_id, action), forge=True)
        await expect(eve, "ledger.refused")
    await eve.press(callback_data=item_data("r", agreement_id, "confirm"), forge=True)
    refusal = words("ledger.refused")
    await eve.wait_for(
        lambda d: sum(refusal in (m["text"] or "") for m in d["messages"]) == 3,
        description="three refusals",
    )
    eves_chat = " ".join(m["text"] for m in await eve.bot_messages())
    assert "Our boundary" not in eves_chat


async def test_concurrent_accepts_leave_exactly_one_accepted_version(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await propose(sam, "Date night every other week")
    ask = await expect(alex, "ledger.notify")
    accept = next(
        b["callback_data"]
        for row in ask["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == label("ledger.accept")
    )
    await asyncio.gather(
        *(alex.press(callback_data=accept, message_id=ask["message_id"]) for _ in range(4))
    )
    await alex.wait_for(
        lambda d: sum(words("ledger.already") in (m["text"] or "") for m in d["messages"]) == 3,
        description="3 refusals",
    )
    assert [row[2] for row in await versions(bot)] == ["accepted"]
    told = [m for m in await sam.bot_messages() if "accepted “Date night" in m["text"]]
    assert len(told) == 1
