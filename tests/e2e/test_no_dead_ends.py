"""Places where the bot used to mislead or leave a person with nothing to do (issue 15):
times in words, answers over the limit, mistyped invitation codes, a command in the middle
of a flow, typing where a button is expected, two reminders at once, the commitments grid
and the command menu."""

from __future__ import annotations

from tests.e2e.harness import answer, onboard, say


async def test_a_reminder_time_said_in_words_is_taken(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/reminders", "reminders.menu")
    await answer(sam, "reminders.change_time", "onboarding.reminder")
    await answer(sam, "onboarding.reminder_custom", "onboarding.reminder_custom_prompt")
    menu = await say(sam, "half past nine in the evening", "reminders.menu")
    assert "21:30" in menu["text"]
    await answer(sam, "reminders.change_time", "onboarding.reminder")
    await answer(sam, "onboarding.reminder_custom", "onboarding.reminder_custom_prompt")
    menu = await say(sam, "quarter to eight", "reminders.menu")
    assert "07:45" in menu["text"]


async def test_an_answer_over_the_limit_keeps_what_fits_and_goes_on(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/commit", "commit.wording")
    sentences = ["I text you when I will be late, every single time."] * 7
    offer = await say(sam, " ".join(sentences), "common.too_long_cut")
    kept = " ".join(sentences[:5])  # 5 whole sentences fit in 300 characters, 6 do not
    assert kept in offer["text"] and " ".join(sentences[:6]) not in offer["text"]
    await answer(sam, "common.keep_cut", "commit.days")
    review = await answer(sam, "commit.days_every", "commit.review")
    assert kept in review["text"] and " ".join(sentences[:6]) not in review["text"]
    await answer(sam, "commit.save", "commit.saved")
