"""Words that reach the right person, end to end: /underneath says why the feelings make
sense in words that fit the reader's side (never "after what you've been through" to the
one who broke trust), /settings shows its three answers on three lines, unlinking tells
the one who unlinked what their partner heard in words that don't read as "for no reason",
and /steps counts in plain English ("heard once", not "heard 1 time(s)")."""

from __future__ import annotations

import pytest

from playground.client import SimUser
from tests.e2e.harness import answer, expect, label, onboard, say
from tests.e2e.journeys import linked_pair, propose
from tests.e2e.test_listening import HEARD_FIRST, PART_ONE, reflect, share

FOR_THE_HURT = "after what you've been through"


async def underneath(user: SimUser) -> tuple[str, str]:
    """/underneath with one feeling: its opening words and its closing words."""
    intro = await say(user, "/underneath", "practices.underneath")
    await user.press(label("practices.feeling_fear"))
    await answer(user, "practices.feelings_done", "practices.say_more")
    named = await answer(user, "practices.skip_more", "practices.named")
    return intro["text"], named["text"]


@pytest.mark.parametrize(
    ("role", "meant", "not_meant"),
    [
        ("broke", "Facing what happened is heavy too", FOR_THE_HURT),
        ("hurt", FOR_THE_HURT, "Facing what happened"),
        ("both", "after what you've both been through", "Facing what happened"),
        ("private", "These feelings make sense, and noticing them", FOR_THE_HURT),
    ],
)
async def test_underneath_speaks_to_the_readers_side(bot, emu, role, meant, not_meant):
    user = await emu.create_user("Sam")
    await onboard(user, role=role)
    intro, named = await underneath(user)
    assert meant in named and not_meant not in named
    assert "response to being hurt" not in intro, "anger is not only the hurt partner's"


async def test_settings_shows_each_answer_on_its_own_line(bot, emu):
    user = await emu.create_user("Sam")
    await onboard(user, role="broke")
    shown = (await say(user, "/settings", "settings.menu"))["text"]
    lines = shown.split("\n")
    assert lines[1].startswith("Role: ") and label("answers.role.broke") in lines[1]
    assert lines[2].startswith("Time zone: ") and "Berlin" in lines[2]
    assert lines[3].startswith("Daily reminder: ")
    assert lines[-1] == "What would you like to change?" and lines[-2] == ""


async def test_unlinking_says_the_partner_was_told_kindly_with_no_reasons_given(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await say(sam, "/unlink", "link.unlink_confirm")
    told = await answer(sam, "link.unlink_yes", "link.unlinked")
    assert "without any reason." not in told["text"]
    assert "without giving any reasons" in told["text"]
    await expect(alex, "link.partner_unlinked")


async def test_steps_counts_in_words_not_in_parentheses(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await share(sam, PART_ONE)
    await reflect(alex, HEARD_FIRST)
    reflection = await expect(sam, "listening.notify_reflection")
    await sam.press(label("listening.heard"), message_id=reflection["message_id"])
    await expect(sam, "listening.heard_thanks", after=reflection["message_id"])
    shown = (await say(sam, "/steps", "steps.overview"))["text"]
    assert "heard once, on " in shown and "(s)" not in shown


async def test_words_that_end_with_a_full_stop_are_quoted_without_a_second_one(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await propose(sam, "You'll see my phone face up on the table.")
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.accept", "ledger.accepted")
    told = await expect(sam, "ledger.partner_accepted")
    assert "on the table.” It's now" in told["text"] and ".”." not in told["text"]
