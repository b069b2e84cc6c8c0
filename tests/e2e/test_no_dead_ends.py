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
