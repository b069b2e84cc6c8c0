"""The daily practices end to end with the real bot: /triggered with a request for
reassurance and the partner's answer, a request kept unsent, every misuse of the
"q" button, /underneath kept private, /acknowledge delivered, not linked, a private
safety "yes", and a restart in the middle of a practice."""

from __future__ import annotations

import asyncio

from flows.engine import item_data
from playground.client import SimUser
from tests.e2e.harness import (
    answer,
    chat_text,
    expect,
    label,
    onboard,
    quiet,
    reflections,
    running,
    say,
    words,
)
from tests.e2e.journeys import invite, linked_pair

FIRST = "They are late, they must be hiding something"
OTHERS = ("Traffic on the ring road", "Their phone battery died")
PLAN = "Wait an hour and then ask one calm question"
REQUEST = "I'm having a hard moment. Could you tell me where you are?"
REASSURANCE = "I'm at the office, the meeting ran over. Home by seven, I love you."


async def triggered_until_offer(user: SimUser, then: str = "practices.offer") -> dict:
    """/triggered through grounding, "an old wound", and the generous interpretation."""
    await say(user, "/triggered", "practices.ground")
    await answer(user, "practices.steadier", "practices.when")
    await answer(user, "practices.when_old", "practices.first_thought")
    await expect(user, "practices.when_old_reply")
    await say(user, FIRST, "practices.other1")
    await say(user, OTHERS[0], "practices.other2")
    await say(user, OTHERS[1], "practices.other3")
    await answer(user, "practices.no_more", "practices.plan")
    summary = await say(user, PLAN, then)
    for text in (FIRST, *OTHERS, PLAN, "/sos"):
        assert text in summary["text"]
    return summary


async def write_request(user: SimUser, text: str = REQUEST) -> None:
    await answer(user, "practices.offer_write", "practices.request")
    review = await say(user, text, "practices.request_review")
    assert text in review["text"]


def q_data(message: dict) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(
        b["callback_data"]
        for row in rows
        for b in row
        if b["text"] == label("practices.reassure_button")
    )


# ---------------------------------------------------------------- triggered and reassure


async def test_a_request_for_reassurance_and_the_partners_answer(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    # Alex is in the middle of their own practice while Sam works through a trigger.
    await say(alex, "/underneath", "practices.underneath")
    sam_done = asyncio.create_task(triggered_until_offer(sam))
    await alex.press(label("practices.feeling_fear"))
    await sam_done
    await write_request(sam)
    await answer(sam, "practices.send", "practices.request_sent")

    ask = await expect(alex, "practices.partner_request")
    assert REQUEST in ask["text"] and "Sam" in ask["text"]
    alex_chat = await chat_text(alex)
    for private in (FIRST, *OTHERS, PLAN):
        assert private not in alex_chat  # only the request itself travels

    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    write = await expect(alex, "practices.reassure_write", after=ask["message_id"])
    assert REQUEST in write["text"]
    review = await say(alex, "I'm at the office", "practices.reassure_review")
    assert "I'm at the office" in review["text"]
    await answer(alex, "practices.rewrite", "practices.reassure_write")
    review = await say(alex, REASSURANCE, "practices.reassure_review")
    assert REASSURANCE in review["text"]
    sam_before = await quiet(sam, 0)
    await answer(alex, "practices.send", "practices.reassure_sent")

    got = await expect(sam, "practices.reassurance_for_requester")
    assert REASSURANCE in got["text"] and "Alex" in got["text"]
    assert await quiet(sam) == sam_before + 1

    [request] = await reflections(bot, sam, "triggered")
    assert request.shared_at is not None and request.couple_id is not None
    assert request.answers["when"] == "old" and request.answers["first_thought"] == FIRST
    assert request.answers["others"] == list(OTHERS) and request.answers["plan"] == PLAN
    assert request.answers["request"] == REQUEST
    assert request.answers["reassurance"] == REASSURANCE
    [reply] = await reflections(bot, alex, "reassurance")
    assert reply.answers == {"request": request.id, "text": REASSURANCE}

    # Pressing the same button again: answered once, and only once.
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    await expect(alex, "practices.reassure_already", after=last)
    assert await quiet(sam) == sam_before + 1


async def test_a_request_kept_unsent_reaches_nobody(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    alex_before = await quiet(alex)
    await triggered_until_offer(sam)
    await write_request(sam, "Please call me, I'm spiralling a little")
    await answer(sam, "practices.rewrite", "practices.request")
    await say(sam, "Could you send me a message when you can?", "practices.request_review")
    await answer(sam, "practices.keep_unsent", "practices.request_kept")
    assert await quiet(alex) == alex_before
    alex_chat = await chat_text(alex)
    for text in ("spiralling", "send me a message", FIRST, words("practices.partner_request")):
        assert text not in alex_chat
    [kept] = await reflections(bot, sam, "triggered")
    assert kept.shared_at is None
    assert kept.answers["request"] == "Could you send me a message when you can?"
    # A forged press on the kept request is refused: it was never sent.
    await alex.press(callback_data=item_data("q", kept.id, "reply"), forge=True)
    await expect(alex, "practices.reassure_refused")


async def test_declining_the_offer_keeps_everything_private(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    alex_before = await quiet(alex)
    await triggered_until_offer(sam)
    await answer(sam, "practices.offer_no", "practices.offer_declined")
    assert await quiet(alex) == alex_before
    [kept] = await reflections(bot, sam, "triggered")
    assert kept.shared_at is None and "request" not in kept.answers


async def test_forged_stale_double_and_stranger_presses_change_nothing(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    casey = await emu.create_user("Casey")
    await onboard(casey)
    await triggered_until_offer(sam)
    await write_request(sam)
    await answer(sam, "practices.send", "practices.request_sent")
    ask = await expect(alex, "practices.partner_request")
    [request] = await reflections(bot, sam, "triggered")
    assert q_data(ask) == item_data("q", request.id, "reply")
    await sam.press(callback_data=item_data("q", request.id, "reply"), forge=True)
    await expect(sam, "practices.reassure_refused")  # the requester cannot answer themself
    sam_count = await quiet(sam)
    await casey.press(callback_data=item_data("q", request.id, "reply"), forge=True)
    await expect(casey, "practices.reassure_refused")  # a stranger
    await alex.press(callback_data=item_data("q", 999_999, "reply"), forge=True)
    await expect(alex, "practices.reassure_refused")  # no such request
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(callback_data=item_data("q", request.id, "delete"), forge=True)
    await expect(alex, "practices.reassure_refused", after=last)  # not an action we offer

    # Two presses of the real button, then one answer: the second draft cannot send again.
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    await expect(alex, "practices.reassure_write", after=last)
    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    await say(alex, "Coming home now", "practices.reassure_review")
    await answer(alex, "practices.send", "practices.reassure_sent")
    await expect(sam, "practices.reassurance_for_requester")
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    await expect(alex, "practices.reassure_already", after=last)
    assert await quiet(sam) == sam_count + 1
    assert "Coming home" not in await chat_text(casey)
    assert REQUEST not in await chat_text(casey)


async def _request_opened_by_partner(bot, emu):
    """Sam sends a request for reassurance; Alex opens it to answer. Returns both and the ask."""
    sam, alex = await linked_pair(bot, emu)
    await triggered_until_offer(sam)
    await write_request(sam)
    await answer(sam, "practices.send", "practices.request_sent")
    ask = await expect(alex, "practices.partner_request")
    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    await expect(alex, "practices.reassure_write", after=ask["message_id"])
    return sam, alex, ask


async def test_a_request_from_before_an_unlink_cannot_be_answered(bot, emu):
    sam, alex, ask = await _request_opened_by_partner(bot, emu)
    await say(alex, "/unlink", "link.unlink_confirm")
    await answer(alex, "link.unlink_yes", "link.unlinked")
    sam_count = await quiet(sam)
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    await expect(alex, "practices.reassure_refused", after=last)
    assert await quiet(sam) == sam_count


async def test_the_answer_is_checked_again_when_it_is_sent(bot, emu):
    sam, alex, _ = await _request_opened_by_partner(bot, emu)
    await say(alex, "I'm here for you", "practices.reassure_review")
    await say(sam, "/unlink", "link.unlink_confirm")
    await answer(sam, "link.unlink_yes", "link.unlinked")
    sam_count = await quiet(sam)
    await answer(alex, "practices.send", "practices.reassure_refused")
    assert await quiet(sam) == sam_count
    assert "I'm here for you" not in await chat_text(sam)


# ---------------------------------------------------------------- under the anger


async def test_what_lies_under_the_anger_is_named_back_and_kept_private(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    alex_before = await quiet(alex)
    await say(sam, "/practices", "practices.menu")
    await answer(sam, "practices.jump_underneath", "practices.underneath")
    await sam.press(label("practices.feeling_hurt"))
    await sam.press(label("practices.feeling_fear"))
    await answer(sam, "practices.feeling_other", "practices.other_feeling")
    await say(sam, "Foolish", "practices.underneath")
    await answer(sam, "practices.feelings_done", "practices.say_more")
    named = await say(sam, "It started when I found the messages", "practices.named")
    assert "hurt, fear, Foolish" in named["text"]
    [saved] = await reflections(bot, sam, "underneath")
    assert saved.answers == {
        "feelings": ["hurt", "fear", "other"],
        "other": "Foolish",
        "more": "It started when I found the messages",
    }
    assert saved.shared_at is None and saved.couple_id is None
    assert await quiet(alex) == alex_before
    assert "Foolish" not in await chat_text(alex)


# ---------------------------------------------------------------- notice the follow-through


async def test_an_acknowledgement_is_read_back_and_delivered(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await say(sam, "/practices", "practices.menu")
    write = await answer(sam, "practices.jump_acknowledge", "practices.ack_write")
    assert "Alex" in write["text"]
    await say(sam, "Thanks for the call", "practices.ack_review")
    await answer(sam, "practices.rewrite", "practices.ack_write")
    text = "Thank you for texting when you were running late yesterday"
    review = await say(sam, text, "practices.ack_review")
    assert text in review["text"]
    await answer(sam, "practices.send", "practices.ack_sent")
    got = await expect(alex, "practices.ack_for_partner")
    assert text in got["text"] and "Sam" in got["text"]
    assert "Thanks for the call" not in await chat_text(alex)
    [sent] = await reflections(bot, sam, "acknowledge")
    assert sent.answers == {"text": text} and sent.shared_at is not None


async def test_an_acknowledgement_kept_unsent_stays_private(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    alex_before = await quiet(alex)
    await say(sam, "/acknowledge", "practices.ack_write")
    await say(sam, "You made dinner", "practices.ack_review")
    await answer(sam, "practices.keep_unsent", "practices.ack_kept")
    assert await quiet(alex) == alex_before
    [kept] = await reflections(bot, sam, "acknowledge")
    assert kept.shared_at is None


async def test_without_a_partner_practices_stay_private_and_offer_linking(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/acknowledge", "practices.ack_not_linked")
    await answer(sam, "practices.link_button", "link.choose")
    await triggered_until_offer(sam, then="practices.triggered_end")
    assert words("practices.offer") not in await chat_text(sam)
    [kept] = await reflections(bot, sam, "triggered")
    assert kept.couple_id is None and kept.shared_at is None


async def test_a_private_safety_yes_never_reaches_the_partner(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex, safety="yes"))
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.safety_pause")
    await answer(alex, "link.go_on", "link.linked")
    await expect(sam, "link.invitee_accepted")
    sam_before = await quiet(sam)

    refused = await say(alex, "/acknowledge", "practices.ack_safety")
    assert "/sos" in refused["text"]
    await triggered_until_offer(alex, then="practices.triggered_end")
    [kept] = await reflections(bot, alex, "triggered")
    assert kept.couple_id is None
    await say(alex, "/underneath", "practices.underneath")
    await alex.press(label("practices.feeling_sadness"))
    await answer(alex, "practices.feelings_done", "practices.say_more")
    await answer(alex, "practices.skip_more", "practices.named")
    assert await quiet(sam) == sam_before
    assert FIRST not in await chat_text(sam)

    # A request from Sam reaches Alex, but answering it is switched off for Alex.
    await triggered_until_offer(sam)
    await write_request(sam)
    await answer(sam, "practices.send", "practices.request_sent")
    ask = await expect(alex, "practices.partner_request")
    sam_before = await quiet(sam)
    await alex.press(label("practices.reassure_button"), message_id=ask["message_id"])
    await expect(alex, "practices.reassure_safety", after=ask["message_id"])
    assert await quiet(sam) == sam_before


# ---------------------------------------------------------------- durability


async def test_a_restart_mid_practice_keeps_the_place(settings, emu):
    async with running(settings):
        sam = await emu.create_user("Sam")
        await onboard(sam)
        await say(sam, "/triggered", "practices.ground")
        await answer(sam, "practices.steadier", "practices.when")
        await answer(sam, "practices.when_now", "practices.first_thought")
        await say(sam, FIRST, "practices.other1")
    async with running(settings):
        await say(sam, OTHERS[0], "practices.other2")
        await answer(sam, "practices.no_more", "practices.plan")
    async with running(settings) as bot:
        await say(sam, "/menu", "menu.text")  # a look at the menu keeps the place
        await say(sam, "/start", "practices.plan")
        done = await say(sam, PLAN, "practices.triggered_end")
        assert FIRST in done["text"] and OTHERS[0] in done["text"]
        [kept] = await reflections(bot, sam, "triggered")
        assert kept.answers["when"] == "now" and kept.answers["others"] == [OTHERS[0]]
