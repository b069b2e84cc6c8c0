"""Step 3, a new vision, end to end with two partners whose messages interleave: answers
stay private until both have answered, a reveal needs both choices, every misuse of a
reveal button is refused, a private safety answer keeps everything private, agreements
are drafted from the answers, and a restart keeps everyone's place."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from flows.engine import item_data
from playground.client import SimUser
from tests.e2e.harness import answer, chat_text, expect, label, onboard, running, say, words
from tests.e2e.journeys import linked_pair

SAM = (
    "Sam hopes for calm unhurried evenings",
    "Sam says we tell each other when plans change",
    "Sam will put the phone away at dinner",
)
ALEX = (
    "Alex hopes we laugh together again",
    "Alex says no more secrets about money",
    "Alex will ask before assuming the worst",
)


async def rows(bot) -> list[tuple]:
    """(id, user_id, couple_id, reveal, shared) of every vision row, oldest first."""
    async with bot.db.engine.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT id, user_id, couple_id, reveal, shared_at IS NOT NULL FROM reflections "
                "WHERE kind = 'vision' ORDER BY id"
            )
        )
        return [tuple(row) for row in found]


async def assert_never_saw(user: SimUser, answers: tuple[str, ...]) -> None:
    seen = await chat_text(user)
    for words_of_other in answers:
        assert words_of_other not in seen, f"{user} saw {words_of_other!r}"


async def write(
    user: SimUser, answers: tuple[str, ...], then: str, opening: str = "vision.intro"
) -> dict:
    """/vision → begin → three answers → read back → save; returns the *then* message."""
    await say(user, "/vision", opening)
    if opening != "vision.intro":
        await answer(user, "vision.again", "vision.intro")
    await answer(user, "vision.begin", "vision.want")
    await say(user, answers[0], "vision.change")
    await say(user, answers[1], "vision.show_up")
    review = await say(user, answers[2], "vision.read_back")
    assert all(answer_text in review["text"] for answer_text in answers)
    return await answer(user, "vision.save", then)


async def both_answered(bot, emu) -> tuple[SimUser, SimUser, dict]:
    """Sam answers first, Alex second; returns the pair and Sam's "both answered" notice."""
    sam, alex = await linked_pair(bot, emu)
    await write(sam, SAM, "vision.saved_waiting")
    await write(alex, ALEX, "vision.choose")
    return sam, alex, await expect(sam, "vision.ask_partner")


async def press_on(user: SimUser, message: dict, button_key: str, then: str) -> dict:
    last = (await user.last_bot_message())["message_id"]
    await user.press(label(button_key), message_id=message["message_id"])
    return await expect(user, then, after=last)


# ---------------------------------------------------------------- the reveal


async def up_to_read_back(user: SimUser, answers: tuple[str, ...]) -> None:
    await say(user, "/vision", "vision.intro")
    await answer(user, "vision.begin", "vision.want")
    await say(user, answers[0], "vision.change")
    await say(user, answers[1], "vision.show_up")
    await say(user, answers[2], "vision.read_back")


async def first_of(user: SimUser, keys: tuple[str, ...], after: int) -> str:
    """Which of *keys* the bot answered with, after message *after*."""

    def found(document: dict) -> str | None:
        for message in document["messages"]:
            if message["sender"] == "bot" and message["message_id"] > after:
                for key in keys:
                    if words(key).lower() in (message["text"] or "").lower():
                        return key
        return None

    return found(await user.wait_for(lambda d: found(d) is not None, description=str(keys)))


async def test_both_answer_interleaved_both_reveal_and_each_sees_the_others_words(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await asyncio.gather(up_to_read_back(sam, SAM), up_to_read_back(alex, ALEX))
    await answer(sam, "vision.save", "vision.saved_waiting")
    await say(sam, "/vision", "vision.status_waiting")
    await assert_never_saw(alex, SAM)
    await answer(alex, "vision.save", "vision.choose")
    ask = await expect(sam, "vision.ask_partner")
    assert "Alex has answered too" in ask["text"]
    for user, other in ((sam, ALEX), (alex, SAM)):
        await assert_never_saw(user, other)  # both answered, nobody chose yet

    shown = await press_on(sam, ask, "vision.show_button", "vision.choose")
    assert all(mine in shown["text"] for mine in SAM)
    await answer(sam, "vision.show", "vision.chosen")
    await say(sam, "/vision", "vision.status_chosen")
    await assert_never_saw(sam, ALEX)
    await assert_never_saw(alex, SAM)  # one reveal is not enough

    await answer(alex, "vision.show", "vision.revealed")
    theirs_for_alex = await expect(alex, "vision.their_words")
    theirs_for_sam = await expect(sam, "vision.their_words")
    assert all(words_of_sam in theirs_for_alex["text"] for words_of_sam in SAM)
    assert all(words_of_alex in theirs_for_sam["text"] for words_of_alex in ALEX)
    assert theirs_for_alex["text"].startswith("Sam's new vision")
    assert [(r[3], r[4]) for r in await rows(bot)] == [("shown", True), ("shown", True)]
    status = await say(sam, "/vision", "vision.status_shown")
    assert "you revealed your answers to each other on" in status["text"]


async def test_saving_at_the_same_moment_asks_exactly_one_in_the_flow(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await asyncio.gather(up_to_read_back(sam, SAM), up_to_read_back(alex, ALEX))
    marks = [(await user.last_bot_message())["message_id"] for user in (sam, alex)]
    await asyncio.gather(sam.press(label("vision.save")), alex.press(label("vision.save")))
    outcomes = [
        await first_of(user, ("vision.saved_waiting", "vision.choose"), mark)
        for user, mark in zip((sam, alex), marks, strict=True)
    ]
    assert sorted(outcomes) == ["vision.choose", "vision.saved_waiting"]
    waited = (sam, alex)[outcomes.index("vision.saved_waiting")]
    await expect(waited, "vision.ask_partner")
    assert [r[3] for r in await rows(bot)] == [None, None]


async def test_one_keeps_them_private_and_neither_sees_the_other(bot, emu):
    sam, alex, ask = await both_answered(bot, emu)
    await answer(alex, "vision.keep", "vision.chosen")
    await assert_never_saw(sam, ALEX)
    shown = await press_on(sam, ask, "vision.show_button", "vision.choose")
    await answer(sam, "vision.show", "vision.kept")
    told = await expect(alex, "vision.stays_private")
    assert "Sam" not in told["text"]  # no one is named, no one is blamed
    await assert_never_saw(sam, ALEX)
    await assert_never_saw(alex, SAM)
    assert shown["message_id"] > ask["message_id"]
    assert [(r[3], r[4]) for r in await rows(bot)] == [("kept", False), ("kept", False)]
    status = await say(alex, "/vision", "vision.status_kept")
    assert "this round stayed private" in status["text"]


async def test_keeping_from_the_notice_needs_no_read_back(bot, emu):
    sam, alex, ask = await both_answered(bot, emu)
    await press_on(sam, ask, "vision.keep_button", "vision.chosen")
    await answer(alex, "vision.show", "vision.kept")
    await expect(sam, "vision.stays_private")
    await assert_never_saw(sam, ALEX)
    await assert_never_saw(alex, SAM)


async def test_while_only_one_has_answered_the_partner_hears_only_that_they_finished(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    before = (await alex.last_bot_message())["message_id"]
    saved = await write(sam, SAM, "vision.saved_waiting")
    assert "let you know when you've both answered" in saved["text"]
    finished = await expect(alex, "vision.partner_finished", after=before)
    assert "Sam" in finished["text"]
    await say(alex, "/menu", "menu.text")  # whatever was on its way to Alex is there now
    new = [m for m in await alex.bot_messages() if m["message_id"] > before]
    assert len(new) == 2 and words("menu.text") in new[1]["text"]
    await assert_never_saw(alex, SAM)
    # Answers rewritten before Alex answered are not announced a second time.
    await write(sam, SAM, "vision.saved_waiting", opening="vision.status_waiting")
    assert (await chat_text(alex)).count(words("vision.partner_finished")) == 1
    # Its button opens the questions.
    await alex.press(label("vision.partner_finished_button"), message_id=finished["message_id"])
    await expect(alex, "vision.intro", after=finished["message_id"])
    again = await say(sam, "/vision", "vision.status_waiting")
    assert "Your answers stay private until then" in again["text"]


# ---------------------------------------------------------------- misused buttons


async def test_double_stale_forged_and_foreign_presses_change_nothing(bot, emu):
    sam, alex, ask = await both_answered(bot, emu)
    sam_row, alex_row = (r[0] for r in await rows(bot))

    await alex.press(callback_data=item_data("w", sam_row, "show"), forge=True)
    await expect(alex, "vision.refused")  # not Alex's to choose
    await alex.press(callback_data=item_data("w", 999_999, "show"), forge=True)
    await alex.press(callback_data=item_data("w", alex_row, "reveal_all"), forge=True)
    await alex.press(callback_data=item_data("w", sam_row, "draft"), forge=True)
    last = (await alex.last_bot_message())["message_id"]
    await alex.press(callback_data=item_data("w", alex_row, "keep"), forge=True)
    await expect(alex, "vision.chosen", after=last)  # Alex's own row: a real choice
    assert [r[3] for r in await rows(bot)] == [None, "keep"]

    await press_on(sam, ask, "vision.keep_button", "vision.kept")
    await press_on(sam, ask, "vision.keep_button", "vision.already")  # a double press
    await press_on(sam, ask, "vision.show_button", "vision.already")  # no change of mind
    await alex.press(callback_data=item_data("w", alex_row, "show"), forge=True)
    await expect(alex, "vision.already")
    assert [r[3] for r in await rows(bot)] == ["kept", "kept"]

    # A new round: Sam answers again; the old notice's buttons no longer apply.
    await write(
        sam,
        ("Sam again one", "Sam again two", "Sam again three"),
        "vision.saved_waiting",
        opening="vision.status_kept",
    )
    await press_on(sam, ask, "vision.show_button", "vision.stale")
    new_row = (await rows(bot))[-1][0]
    await sam.press(callback_data=item_data("w", new_row, "show"), forge=True)
    await expect(sam, "vision.not_ready")  # Alex has not answered this round
    await assert_never_saw(alex, SAM)
    await assert_never_saw(sam, ALEX)


async def test_an_older_round_left_open_is_stale_once_answered_again(bot, emu):
    sam, alex, ask = await both_answered(bot, emu)
    again = ("Sam's second try, one", "Sam's second try, two", "Sam's second try, three")
    await write(sam, again, "vision.choose", opening="vision.status_choose")
    second_ask = await expect(alex, "vision.ask_partner")  # Alex's answers meet Sam's new ones
    await answer(sam, "vision.show", "vision.chosen")
    await press_on(sam, ask, "vision.keep_button", "vision.stale")
    await press_on(alex, second_ask, "vision.show_button", "vision.choose")
    await answer(alex, "vision.show", "vision.revealed")
    theirs = await expect(alex, "vision.their_words")
    assert all(line in theirs["text"] for line in again)
    assert not any(line in theirs["text"] for line in SAM)  # the replaced answers stay put


async def test_unlinking_between_answering_and_revealing_ends_the_round(bot, emu):
    sam, alex, ask = await both_answered(bot, emu)
    await say(sam, "/unlink", "link.unlink_confirm")
    await answer(sam, "link.unlink_yes", "link.unlinked")
    await expect(alex, "link.partner_unlinked")
    await answer(alex, "vision.show", "vision.refused")  # Alex's choice, still on screen
    await press_on(sam, ask, "vision.show_button", "vision.refused")
    await assert_never_saw(sam, ALEX)
    await assert_never_saw(alex, SAM)
    assert [r[3] for r in await rows(bot)] == [None, None]
    status = await say(sam, "/vision", "vision.status_private")
    assert "has ended" in status["text"]


# ---------------------------------------------------------------- safety


async def set_safety_yes(user: SimUser) -> None:
    await say(user, "/settings", "settings.menu")
    await answer(user, "settings.change_safety", "onboarding.safety")
    await answer(user, "onboarding.safety_yes", "onboarding.safety_yes_reply")
    await answer(user, "onboarding.continue", "settings.menu")


async def test_a_safety_yes_keeps_every_answer_private_and_the_partner_uninformed(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await write(sam, SAM, "vision.saved_waiting")  # before the safety answer changed
    await set_safety_yes(sam)
    before = (await sam.last_bot_message())["message_id"]
    await write(alex, ALEX, "vision.saved_waiting")  # Sam counts as not having answered
    later = ("Sam privately one", "Sam privately two", "Sam privately three")
    saved = await write(sam, later, "vision.saved_private", opening="vision.status_private")
    assert "your partner isn't told about them" in saved["text"]
    assert not [
        m
        for m in await sam.bot_messages()
        if m["message_id"] > before and words("vision.ask_partner") in m["text"]
    ]
    await answer(sam, "vision.draft", "vision.draft_private")
    assert [r[3] for r in await rows(bot)] == [None, None, "private"]
    await assert_never_saw(alex, SAM + later)
    chat = (await chat_text(alex)).lower()
    assert "both answered the new-vision" not in chat and "privately" not in chat

    # A forged reveal of the earlier answers is refused kindly; nothing moves.
    sam_first = (await rows(bot))[0][0]
    await sam.press(callback_data=item_data("w", sam_first, "show"), forge=True)
    await expect(sam, "vision.safety_refused")
    status = await say(sam, "/vision", "vision.status_private")
    assert "never shared" in status["text"]
    await assert_never_saw(alex, SAM + later)


# ---------------------------------------------------------------- agreements from the answers


async def draft(user: SimUser, wording: str, then: str = "ledger.sent") -> None:
    await answer(user, "ledger.kind_agreement", "vision.draft_start")
    await say(user, wording, "ledger.why")
    review = await answer(user, "ledger.skip_why", "ledger.review")
    assert wording in review["text"]
    await answer(user, "ledger.send", then)


async def test_a_draft_after_the_reveal_reaches_the_partners_agreements(bot, emu):
    sam, alex, ask = await both_answered(bot, emu)
    await press_on(sam, ask, "vision.show_button", "vision.choose")
    await answer(sam, "vision.show", "vision.chosen")
    await answer(alex, "vision.show", "vision.revealed")
    await answer(alex, "vision.draft", "ledger.kind")
    wording = await answer(alex, "ledger.kind_agreement", "vision.draft_start")
    assert ALEX[1] in wording["text"] and words("ledger.wording") in wording["text"]
    await say(alex, "We check our budget together monthly", "ledger.why")
    await answer(alex, "ledger.skip_why", "ledger.review")
    await answer(alex, "ledger.send", "ledger.sent")
    await expect(sam, "ledger.notify")
    overview = await say(sam, "/agreements", "ledger.overview")
    waiting = overview["text"].split("Waiting for your answer")[1].split("Waiting for")[0]
    assert "We check our budget together monthly" in waiting

    # Sam drafts from the reveal notice's button, from Sam's own answers.
    theirs = await expect(sam, "vision.their_words")
    await press_on(sam, theirs, "vision.draft_button", "ledger.kind")
    before = (await alex.last_bot_message())["message_id"]
    await draft(sam, "We say when plans change, by text")
    second = await expect(alex, "ledger.notify", after=before)
    assert "We say when plans change, by text" in second["text"]


async def test_alone_the_answers_become_a_personal_intention(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    intro = await say(sam, "/vision", "vision.intro")
    assert "yours alone" in intro["text"]
    await answer(sam, "vision.begin", "vision.want")
    await say(sam, SAM[0], "vision.change")
    await say(sam, SAM[1], "vision.show_up")
    await say(sam, SAM[2], "vision.read_back")
    await answer(sam, "vision.save", "vision.saved_solo")
    await answer(sam, "vision.draft", "ledger.kind")
    await draft(sam, "I put the phone away at dinner", then="ledger.kept_personal")
    overview = await say(sam, "/agreements", "ledger.overview")
    assert "I put the phone away" in overview["text"].split("own intentions")[1]
    status = await say(sam, "/vision", "vision.status_private")
    assert "weren't linked" in status["text"]
    mine = await answer(sam, "vision.see", "vision.mine")
    assert all(line in mine["text"] for line in SAM)
    assert await rows(bot) == [(1, sam.id, None, None, False)]


async def test_answers_wait_while_away_and_can_be_rewritten_or_discarded(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/vision", "vision.intro")
    await answer(sam, "vision.begin", "vision.want")
    await say(sam, "First try", "vision.change")
    await say(sam, "/agreements", "ledger.overview")  # away for a moment: the words wait
    picked_up = await say(sam, "/vision", "common.picked_up")
    await expect(sam, "vision.change", after=picked_up["message_id"])
    await say(sam, "Second", "vision.show_up")
    await say(sam, "Third", "vision.read_back")
    await answer(sam, "vision.redo", "vision.want")
    await say(sam, SAM[0], "vision.change")
    await say(sam, SAM[1], "vision.show_up")
    review = await say(sam, SAM[2], "vision.read_back")
    assert "First try" not in review["text"] and SAM[0] in review["text"]
    await answer(sam, "vision.discard", "vision.discarded")
    assert await rows(bot) == []


# ---------------------------------------------------------------- a restart


async def test_a_restart_mid_flow_keeps_every_place(settings, emu):
    async with running(settings) as bot:
        sam, alex = await linked_pair(bot, emu)
        await say(sam, "/vision", "vision.intro")
        await answer(sam, "vision.begin", "vision.want")
        await say(sam, SAM[0], "vision.change")
    async with running(settings):
        await say(sam, SAM[1], "vision.show_up")
        review = await say(sam, SAM[2], "vision.read_back")
        assert SAM[0] in review["text"]
        await answer(sam, "vision.save", "vision.saved_waiting")
        await write(alex, ALEX, "vision.choose")
        ask = await expect(sam, "vision.ask_partner")
    async with running(settings) as bot:
        await press_on(sam, ask, "vision.show_button", "vision.choose")
        await answer(sam, "vision.show", "vision.chosen")
        await answer(alex, "vision.show", "vision.revealed")
        for user, other in ((alex, SAM), (sam, ALEX)):
            theirs = await expect(user, "vision.their_words")
            assert all(line in theirs["text"] for line in other)
        assert [r[3] for r in await rows(bot)] == ["shown", "shown"]
