"""Every share can be answered, and its writer hears what became of it, end to end.

An apology, a request for what would help, a thank-you and a reassuring answer
arrive with kind, optional buttons: "I read it", "not ready yet" (told once),
a few words back (read back, sent only when confirmed), and for a request, a
draft agreement or a commitment in one tap. Pressed twice, stale, forged or by a
stranger, they change nothing. The writer hears "it has reached them" only once
it has; a partner who blocked the bot gets it when they come back, and the writer
is told it waits meanwhile. After an apology, the writer is told what comes next."""

from __future__ import annotations

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
    say,
    wait_until_inactive,
    words,
)
from tests.e2e.journeys import linked_pair
from tests.e2e.test_practices import REASSURANCE, triggered_until_offer, write_request
from tests.e2e.test_responsibility import (
    CHANGE,
    IMPACT,
    NEEDS_WORDS,
    OWN,
    WHAT,
    apology,
    needs,
    pair,
)

THANKS = "Thank you for cooking when I was too tired to think"
WORDS_BACK = "I read every word of it. I need time, and I am still here."


async def write_apology(sam: SimUser) -> dict:
    """Step 1 with answers no check questions, to the confirmation; returns Sam's "sent"."""
    await say(sam, "/responsibility", "responsibility.broke_intro")
    await answer(sam, "responsibility.begin", "responsibility.what")
    await say(sam, WHAT, "responsibility.impact")
    await say(sam, IMPACT, "responsibility.own")
    await say(sam, OWN, "responsibility.change")
    await say(sam, CHANGE, "responsibility.offer_commit")
    await answer(sam, "responsibility.commit_no", "responsibility.ack")
    await apology(sam)
    await answer(sam, "responsibility.share_apology", "responsibility.confirm_share")
    return await answer(sam, "responsibility.send", "responsibility.apology_sent")


async def send_apology(sam: SimUser, alex: SimUser) -> tuple[dict, dict]:
    """Sam writes and sends the apology; returns Sam's "sent" message and Alex's copy."""
    sent = await write_apology(sam)
    return sent, await expect(alex, "responsibility.partner_apology")


async def send_request(alex: SimUser, sam: SimUser) -> dict:
    await say(alex, "/responsibility", "responsibility.hurt_intro")
    await needs(alex)
    await answer(alex, "responsibility.share_request", "responsibility.confirm_request")
    await answer(alex, "responsibility.send", "responsibility.request_sent")
    return await expect(sam, "responsibility.partner_request")


async def send_thanks(sam: SimUser) -> None:
    await say(sam, "/acknowledge", "practices.ack_write")
    await say(sam, THANKS, "practices.ack_review")
    await answer(sam, "practices.send", "practices.ack_sent")


async def press_on(user: SimUser, message: dict, button_key: str, then: str) -> dict:
    last = (await user.last_bot_message())["message_id"]
    await user.press(label(button_key), message_id=message["message_id"])
    return await expect(user, then, after=last)


def data_of(message: dict, button_key: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row if b["text"] == label(button_key))


def count(chat: str, key: str) -> int:
    return chat.count(words(key))


# ---------------------------------------------------------------- the apology


async def test_an_apology_says_what_comes_next_is_delivered_and_can_be_read(bot, emu):
    sam, alex = await pair(bot, emu)
    sent, got = await send_apology(sam, alex)
    assert words("responsibility.after_apology") in sent["text"] and "/listen" in sent["text"]
    assert label("responsibility.listen_button") in SimUser.buttons(sent)
    await expect(sam, "share.delivered", after=sent["message_id"])
    for key in ("share.read_button", "share.wait_button", "share.write_button"):
        assert label(key) in SimUser.buttons(got)
    assert label("share.agreement_button") not in SimUser.buttons(got)  # not a request

    done = await press_on(alex, got, "share.read_button", "share.read_done")
    assert "Sam" in done["text"]
    told = await expect(sam, "share.read_by")
    assert "Alex" in told["text"] and label("share.what_apology") in told["text"]

    # Twice, and after the read, every button says kindly that it is answered.
    sam_count = await quiet(sam)
    for key in ("share.read_button", "share.write_button"):
        await press_on(alex, got, key, "share.already")
    assert await quiet(sam) == sam_count

    # The "what comes next" button opens step 2.
    await answer(sam, "responsibility.listen_button", "listening.intro")


async def test_not_ready_is_told_once_and_words_back_need_a_read_back(bot, emu):
    sam, alex = await pair(bot, emu)
    _, got = await send_apology(sam, alex)
    await expect(sam, "share.delivered")
    await press_on(alex, got, "share.wait_button", "share.wait_done")
    await expect(sam, "share.waits_by")
    await press_on(alex, got, "share.wait_button", "share.wait_again")
    assert count(await chat_text(sam), "share.waits_by") == 1

    # Words back: nothing reaches Sam before Alex reads them back and confirms.
    sam_count = await quiet(sam)
    await press_on(alex, got, "share.write_button", "share.write")
    review = await say(alex, "First try that I will not send", "share.review")
    assert "First try" in review["text"]
    await answer(alex, "share.rewrite", "share.write")
    review = await say(alex, WORDS_BACK, "share.review")
    assert WORDS_BACK in review["text"] and "Sam" in review["text"]
    assert await quiet(sam) == sam_count
    assert WORDS_BACK not in await chat_text(sam)
    await answer(alex, "share.send", "share.sent")
    back = await expect(sam, "share.words_from")
    assert WORDS_BACK in back["text"] and "Alex" in back["text"]
    assert "First try" not in await chat_text(sam)
    await expect(alex, "share.delivered")  # the answer's own delivery, reported to Alex
    answers = await reflections(bot, alex, "share_answer")
    assert [a.answers["answer"] for a in answers] == ["wait", "words"]
    await press_on(alex, got, "share.read_button", "share.already")


async def test_words_back_not_sent_reach_nobody(bot, emu):
    sam, alex = await pair(bot, emu)
    _, got = await send_apology(sam, alex)
    await expect(sam, "share.delivered")
    sam_count = await quiet(sam)
    await press_on(alex, got, "share.write_button", "share.write")
    await say(alex, "Words I keep to myself", "share.review")
    await answer(alex, "share.not_now", "share.not_sent")
    assert await quiet(sam) == sam_count
    assert "Words I keep" not in await chat_text(sam)
    # The buttons still work afterwards.
    await press_on(alex, got, "share.read_button", "share.read_done")
    await expect(sam, "share.read_by")


async def test_forged_stale_and_stranger_presses_change_nothing(bot, emu):
    sam, alex = await pair(bot, emu)
    casey = await emu.create_user("Casey")
    await onboard(casey)
    _, got = await send_apology(sam, alex)
    read = data_of(got, "share.read_button")
    [apology_row] = await reflections(bot, sam, "step1_broke")
    sam_count = await quiet(sam)

    # A stranger, the writer themselves, an id that isn't a share, an unknown action.
    await casey.press(callback_data=read, forge=True)
    await expect(casey, "share.refused")
    await sam.press(callback_data=read, forge=True)
    await expect(sam, "share.refused")
    for forged in (
        item_data("s", apology_row.id + 999, "read"),
        item_data("s", apology_row.id, "hug"),
        item_data("p", apology_row.id, "make"),
    ):  # an apology is not a request
        last = (await alex.last_bot_message())["message_id"]
        await alex.press(callback_data=forged, forge=True)
        await expect(alex, "share.refused", after=last)
    assert await quiet(sam) == sam_count + 1  # only Sam's own refusal
    assert await reflections(bot, alex, "share_answer") == []

    # After an unlink the button is stale: refused, nothing told.
    await say(alex, "/unlink", "link.unlink_confirm")
    await answer(alex, "link.unlink_yes", "link.unlinked")
    await press_on(alex, got, "share.read_button", "share.refused")
    assert await reflections(bot, alex, "share_answer") == []


# ---------------------------------------------------------------- a request, made into something


async def test_a_request_becomes_a_draft_agreement_in_one_tap(bot, emu):
    sam, alex = await pair(bot, emu)
    got = await send_request(alex, sam)
    review = await press_on(sam, got, "share.agreement_button", "ledger.review")
    assert NEEDS_WORDS in review["text"]
    alex_count = await quiet(alex)
    await answer(sam, "ledger.send", "ledger.sent")
    proposal = await expect(alex, "ledger.notify")
    assert NEEDS_WORDS in proposal["text"] and "Sam" in proposal["text"]
    assert await quiet(alex) >= alex_count + 1
    await alex.press(label("ledger.accept"), message_id=proposal["message_id"])
    await expect(sam, "ledger.partner_accepted")


async def test_a_request_becomes_a_commitment_and_the_requester_is_told_if_chosen(bot, emu):
    sam, alex = await pair(bot, emu)
    got = await send_request(alex, sam)
    start = await press_on(sam, got, "share.commitment_button", "share.commitment_start")
    assert NEEDS_WORDS in start["text"]
    await answer(sam, "share.commitment_yes", "commit.days")
    review = await answer(sam, "commit.days_every", "commit.review")
    assert NEEDS_WORDS in review["text"]
    await answer(sam, "commit.save", "commit.visibility")
    tell = await answer(sam, "commit.visibility_no", "share.tell")
    assert NEEDS_WORDS in tell["text"] and "Alex" in tell["text"]
    assert words("share.commitment_for_partner") not in await chat_text(alex)
    await answer(sam, "share.tell_yes", "share.told")
    told = await expect(alex, "share.commitment_for_partner")
    assert NEEDS_WORDS in told["text"] and "Sam" in told["text"]
    overview = await say(sam, "/commitments", "commitments.overview")
    assert NEEDS_WORDS in overview["text"]


# ---------------------------------------------------------------- thank-yous and reassurance


async def test_a_thank_you_and_a_reassuring_answer_can_be_answered(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await send_thanks(sam)
    thanks = await expect(alex, "practices.ack_for_partner")
    await expect(sam, "share.delivered")
    await press_on(alex, thanks, "share.read_button", "share.read_done")
    told = await expect(sam, "share.read_by")
    assert label("share.what_thanks") in told["text"]

    # A request for reassurance is reported when it arrives; its answer can be answered.
    await triggered_until_offer(alex)
    await write_request(alex)
    sent = await answer(alex, "practices.send", "practices.request_sent")
    ask = await expect(sam, "practices.partner_request")
    await expect(alex, "share.delivered", after=sent["message_id"])
    await press_on(sam, ask, "practices.reassure_button", "practices.reassure_write")
    await say(sam, REASSURANCE, "practices.reassure_review")
    await answer(sam, "practices.send", "practices.reassure_sent")
    reply = await expect(alex, "practices.reassurance_for_requester")
    await press_on(alex, reply, "share.write_button", "share.write")
    await say(alex, "Thank you, that helped a lot tonight", "share.review")
    await answer(alex, "share.send", "share.sent")
    back = await expect(sam, "share.words_from")
    assert "that helped a lot" in back["text"] and label("share.what_reassurance") in back["text"]


# ---------------------------------------------------------------- a partner who blocked the bot


async def test_a_share_to_a_partner_who_blocked_the_bot_waits_and_arrives_on_return(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await alex.block()
    assert await wait_until_inactive(bot, alex.id)
    await send_thanks(sam)
    waiting = await expect(sam, "share.waiting")
    assert "Alex" in waiting["text"]
    sam_chat = await chat_text(sam)
    assert words("share.delivered") not in sam_chat
    assert words("practices.ack_for_partner") not in await chat_text(alex)

    await alex.unblock()
    got = await expect(alex, "practices.ack_for_partner")
    assert THANKS in got["text"]
    await expect(sam, "share.delivered", after=waiting["message_id"])
    # It still has its buttons, and they work.
    await press_on(alex, got, "share.read_button", "share.read_done")
    await expect(sam, "share.read_by")


async def test_a_partner_who_comes_back_with_start_gets_what_waited(bot, emu):
    sam, alex = await pair(bot, emu)
    await alex.block()
    assert await wait_until_inactive(bot, alex.id)
    await write_apology(sam)
    await expect(sam, "share.waiting")
    # The emulator tells the bot of an unblock; /start right after must find it there too.
    await alex.unblock()
    await say(alex, "/start", "welcome_back")
    got = await expect(alex, "responsibility.partner_apology")
    assert count(await chat_text(alex), "responsibility.partner_apology") == 1
    await expect(sam, "share.delivered")
    assert label("share.read_button") in SimUser.buttons(got)
