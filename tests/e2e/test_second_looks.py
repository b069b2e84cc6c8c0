"""The gentle second looks, end to end: an excuse in "What happened?" and in part 2 of the
apology is reflected back once, and whatever comes next goes on; a change no one could see
is asked once for something that can be seen, then kept as written; a listener's reflection
that adds their own side is reflected back once before it reaches the speaker."""

from __future__ import annotations

from tests.e2e.harness import answer, expect, label, reflections, say
from tests.e2e.journeys import pair
from tests.e2e.test_listening import share
from tests.e2e.test_responsibility import ACK, IMPACT, OWN, SIGNS

EXCUSE = "I did it but only because you were never home"
VAGUE = "I will try to be more honest"


async def test_an_excuse_is_looked_at_once_wherever_it_hides_in_step_1(bot, emu):
    sam, _alex = await pair(bot, emu)
    await say(sam, "/responsibility", "responsibility.broke_intro")
    await answer(sam, "responsibility.begin", "responsibility.what")
    check = await say(sam, EXCUSE, "responsibility.excuse_check")
    assert "“because you”" in check["text"] and EXCUSE in check["text"]
    assert "blame is being handed back" in check["text"]
    assert label("responsibility.keep_as_is") in sam.buttons(check)
    # Written again at the check itself, the new words are the answer.
    await say(sam, "I hid messages from you for months", "responsibility.impact")
    await say(sam, IMPACT, "responsibility.own")
    await say(sam, OWN, "responsibility.change")

    # A change no one could see: asked once, and what comes next is kept as written.
    seen = await say(sam, VAGUE, "responsibility.change_seen")
    assert VAGUE in seen["text"] and "What would your partner see you do" in seen["text"]
    offer = await say(sam, "I'll try to be more open about my day", "responsibility.offer_commit")
    assert "I'll try to be more open about my day" in offer["text"]
    await answer(sam, "responsibility.commit_no", "responsibility.ack")

    await say(sam, ACK, "responsibility.accept")
    check = await say(sam, "It was my choice, " + EXCUSE.lower(), "responsibility.excuse_check")
    assert "“because you”" in check["text"]
    # Rewrite leads back to the question, which now takes whatever is written.
    await answer(sam, "responsibility.rewrite", "responsibility.accept")
    await say(sam, "It was my choice, but I see that now", "responsibility.actions")
    await say(sam, "I come home when I say I will", "responsibility.signs")
    review = await say(sam, SIGNS, "responsibility.apology_review")
    assert "It was my choice, but I see that now" in review["text"]
    await answer(sam, "responsibility.keep_private", "responsibility.apology_kept")
    [broke] = await reflections(bot, sam, "step1_broke")
    assert broke.answers["what_happened"] == "I hid messages from you for months"
    assert broke.answers["do_differently"] == "I'll try to be more open about my day"
    assert broke.answers["apology"]["responsibility"] == "It was my choice, but I see that now"


async def test_a_vague_change_can_be_kept_as_it_is(bot, emu):
    sam, _alex = await pair(bot, emu)
    await say(sam, "/responsibility", "responsibility.broke_intro")
    await answer(sam, "responsibility.begin", "responsibility.what")
    await say(sam, "I hid messages from you for months", "responsibility.impact")
    await say(sam, IMPACT, "responsibility.own")
    await say(sam, OWN, "responsibility.change")
    await say(sam, VAGUE, "responsibility.change_seen")
    offer = await answer(sam, "responsibility.keep_as_is", "responsibility.offer_commit")
    assert VAGUE in offer["text"]


async def test_a_reflection_that_adds_the_listeners_side_is_looked_at_once(bot, emu):
    sam, alex = await pair(bot, emu, sam_role="hurt", alex_role="broke")
    await share(sam, "When I found the messages, the floor went out from under me.")
    notice = await expect(alex, "listening.notify_shared")
    await alex.press(label("listening.reflect"), message_id=notice["message_id"])
    await expect(alex, "listening.hear", after=notice["message_id"])
    own_side = "What I hear is that you were scared, but I was drowning too"
    check = await say(alex, own_side, "listening.own_side_check")
    assert "“but i”" in check["text"].lower() and own_side in check["text"]
    assert "Sam" in check["text"]
    await answer(alex, "listening.keep_as_is", "listening.validate")
    await say(alex, "It makes sense you feel unsteady, because I hid it.", "listening.imagine")
    review = await answer(alex, "listening.skip", "listening.reflection_review")
    assert own_side in review["text"]
    assert "—" not in review["text"] and "\n\n\n" not in review["text"]
    assert review["text"].rstrip() == review["text"], "no blank line where imagine was skipped"
