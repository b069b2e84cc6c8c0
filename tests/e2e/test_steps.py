"""/steps and the /progress picture: where each repair step stands, and the way back into it."""

from __future__ import annotations

from playground.client import SimUser
from tests.e2e.harness import answer, expect, label, onboard, say, words
from tests.e2e.journeys import linked_pair
from tests.e2e.test_listening import PART_ONE, share


async def test_the_overview_follows_what_each_partner_did_and_opens_each_step(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    first = await say(sam, "/steps", "steps.overview")
    assert first["text"].count(words("steps.not_yet")) == 3
    assert words("steps.p_none") in first["text"]

    await share(sam, PART_ONE)
    await expect(alex, "listening.notify_shared")
    assert words("steps.s2_theirs") in (await say(sam, "/steps", "steps.overview"))["text"]
    mine = await say(alex, "/steps", "steps.overview")
    assert words("steps.s2_yours") in mine["text"]
    await alex.press(label("steps.open_2"), message_id=mine["message_id"])
    intro = await expect(alex, "listening.reflect_intro", after=mine["message_id"])
    assert PART_ONE in intro["text"]

    async with bot.db.transaction() as repos:  # a step 1 finished earlier, kept private
        await repos.reflections.add(sam.id, "step1_hurt", {"needs": ["space"]}, bot.clock.now())
        await repos.reflections.add(sam.id, "underneath", {"feelings": ["fear"]}, bot.clock.now())
    later = await say(sam, "/steps", "steps.overview")
    assert words("steps.s1_done") in later["text"]
    assert "under the anger 1" in later["text"]
    await answer(sam, "steps.close", "steps.closed")


async def test_progress_shows_where_each_step_stands_under_the_picture(bot, emu):
    sam: SimUser = await emu.create_user("Sam")
    await onboard(sam)
    await sam.send("/progress")
    photo = await sam.wait_for_text(words("progress.caption"), timeout=20)
    assert photo["kind"] == "photo"
    assert words("steps.where") in photo["text"] and words("steps.not_yet") in photo["text"]
    assert label("steps.open_3") in SimUser.buttons(photo)
    await sam.press(label("steps.open_3"), message_id=photo["message_id"])
    await expect(sam, "vision.intro", after=photo["message_id"])


async def test_a_step_left_for_another_command_picks_up_with_every_word(bot, emu):
    sam, _alex = await linked_pair(bot, emu)
    await say(sam, "/listen", "listening.intro")
    await answer(sam, "listening.begin", "listening.write")
    await say(sam, PART_ONE, "listening.written")
    await say(sam, "/commit", "commit.wording")
    await say(sam, "I tell you when plans change", "commit.days")
    await say(sam, "/agreements", "ledger.overview")  # a partner's business comes up
    await say(sam, "/commit", "common.picked_up")
    review = await answer(sam, "commit.days_every", "commit.review")
    assert "I tell you when plans change" in review["text"]
    await answer(sam, "commit.save", "commit.visibility")
    await answer(sam, "commit.visibility_no", "commit.saved")
    back = await say(sam, "/listen", "listening.resume_writing")
    assert "1" in back["text"]
