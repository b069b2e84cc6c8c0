"""Words that fit where the person stands, end to end: the new-vision intro knows the
partner has answered, the reveal says each thing once, and "carry on" after a pause
does not send a list again when nothing was under way."""

from __future__ import annotations

from flows.engine import menu_data
from playground.client import SimUser
from tests.e2e.harness import answer, chat_text, expect, label, say, words
from tests.e2e.journeys import linked_pair
from tests.e2e.test_vision import ALEX, SAM, both_answered, press_on, write


async def test_the_vision_intro_knows_the_partner_has_answered(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await write(sam, SAM, "vision.saved_waiting")
    intro = await say(alex, "/vision", "vision.intro")
    assert words("vision.how_answered") in intro["text"]
    assert words("vision.how_linked") not in intro["text"]


async def test_the_reveal_says_each_thing_once(bot, emu):
    sam, alex, ask = await both_answered(bot, emu)
    await press_on(sam, ask, "vision.show_button", "vision.choose")
    await answer(sam, "vision.show", "vision.chosen")
    await answer(alex, "vision.show", "vision.revealed")
    await expect(alex, "vision.their_words")
    seen = await chat_text(alex)
    assert seen.count("Understanding them doesn't mean agreeing") == 1
    assert all(words_of_sam in seen for words_of_sam in SAM)
    theirs = await expect(sam, "vision.their_words")
    assert all(words_of_alex in theirs["text"] for words_of_alex in ALEX)


async def test_carry_on_does_not_send_a_list_again(bot, emu):
    sam, _ = await linked_pair(bot, emu)
    await say(sam, "/agreements", "ledger.overview")
    await say(sam, "honestly whats the point of any of it anymore", "check.ask_life")
    shown = await answer(sam, "check.unsure", "check.life_unsure")
    assert label("crisis.carry_on") not in SimUser.buttons(shown)
    # An older "carry on" button pressed now shows the menu, not the list once more.
    await sam.press(callback_data=menu_data("resume"), forge=True)
    await expect(sam, "menu.text", after=shown["message_id"])
    later = [m for m in await sam.bot_messages() if m["message_id"] > shown["message_id"]]
    assert not any(words("ledger.overview") in (m["text"] or "") for m in later)
