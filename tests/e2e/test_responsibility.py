"""Step 1 end to end with the real bot: an apology shared with a linked partner after a
read-back and a confirmation, a request for safety shared by the hurt partner, "we both
hurt each other" walking both paths, words kept private reaching nobody, a private
safety "yes", the change kept as a commitment, coming back to step 1 (and sharing an
apology saved before linking), and a restart in the middle of the path."""

from __future__ import annotations

import asyncio

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
    wait_for_button,
)
from tests.e2e.journeys import link, pair

WHAT = "I hid messages from you for months"
IMPACT = "You stopped feeling safe when I was away"
EXCUSE = "I lied, but I was under so much pressure"
OWN = "I take responsibility for lying to you"
CHANGE = "I show you my phone whenever you ask"
ACK = "I know I broke your trust and left you alone with it"
SIGNS = "You will see my phone face up on the table"
NEEDS_WORDS = "Tell me when plans change, before I have to ask"
BROKE_WORDS = (WHAT, IMPACT, OWN, CHANGE, ACK, SIGNS)


async def owning(user: SimUser, intro: str = "responsibility.broke_intro") -> None:
    """/responsibility up to "what will you do differently", with the excuse check."""
    await say(user, "/responsibility", intro)
    await answer(user, "responsibility.begin", "responsibility.what")
    await say(user, WHAT, "responsibility.impact")
    await say(user, IMPACT, "responsibility.own")
    check = await say(user, EXCUSE, "responsibility.excuse_check")
    assert "“but”" in check["text"] and EXCUSE in check["text"]
    await answer(user, "responsibility.rewrite", "responsibility.own")
    await say(user, OWN, "responsibility.change")
    offer = await say(user, CHANGE, "responsibility.offer_commit")
    assert CHANGE in offer["text"]


async def apology(user: SimUser, then: str = "responsibility.apology_review") -> dict:
    """The four parts, the middle two taken from the earlier answers; returns the read-back."""
    await say(user, ACK, "responsibility.accept")
    await answer(user, "responsibility.use_earlier", "responsibility.actions")
    await answer(user, "responsibility.use_earlier", "responsibility.signs")
    review = await say(user, SIGNS, then)
    for words in (ACK, OWN, CHANGE, SIGNS):
        assert words in review["text"]
    return review


async def needs(user: SimUser, intro: str = "responsibility.hurt_intro") -> dict:
    """The hurt path up to the read-back of the request."""
    await answer(user, "responsibility.hurt_go_on", "responsibility.needs")
    await user.press(label("responsibility.need_space"))
    await wait_for_button(user, "✓ " + label("responsibility.need_space"))
    await user.press(label("responsibility.need_transparency"))
    await wait_for_button(user, "✓ " + label("responsibility.need_transparency"))
    await answer(user, "responsibility.needs_done", "responsibility.needs_words")
    review = await say(user, NEEDS_WORDS, "responsibility.request_review")
    for words in (
        NEEDS_WORDS,
        label("responsibility.need_space"),
        label("responsibility.need_transparency"),
    ):
        assert words in review["text"]
    return review


def buttons_of(message: dict) -> list[str]:
    return SimUser.buttons(message)


async def test_an_apology_is_shared_only_after_a_read_back_and_a_confirmation(bot, emu):
    sam, alex = await pair(bot, emu)
    alex_before = await quiet(alex)
    await owning(sam)
    await answer(sam, "responsibility.commit_yes", "commit.days")
    await answer(sam, "commit.days_every", "commit.visibility")
    await answer(sam, "commit.visibility_yes", "responsibility.commit_saved")
    await answer(sam, "responsibility.to_apology", "responsibility.ack")
    await apology(sam)
    confirm = await answer(sam, "responsibility.share_apology", "responsibility.confirm_share")
    assert "Alex" in confirm["text"]
    assert await quiet(alex) == alex_before, "nothing before the confirmation"
    sent = await answer(sam, "responsibility.send", "responsibility.apology_sent")
    assert "Alex" in sent["text"]

    got = await expect(alex, "responsibility.partner_apology")
    for words in (ACK, OWN, CHANGE, SIGNS, "Sam", "No reply is expected", "not owed on a schedule"):
        assert words in got["text"]
    for private in (WHAT, IMPACT, EXCUSE):
        assert private not in await chat_text(alex)

    [saved] = await reflections(bot, sam, "step1_broke")
    assert saved.shared_at is not None and saved.couple_id is not None
    assert saved.answers["what_happened"] == WHAT and saved.answers["impact"] == IMPACT
    assert saved.answers["responsibility"] == OWN and saved.answers["do_differently"] == CHANGE
    assert saved.answers["apology"] == {
        "acknowledge": ACK,
        "responsibility": OWN,
        "actions": CHANGE,
        "signs": SIGNS,
    }
    assert saved.answers["commitment_id"]
    overview = await say(sam, "/commitments", "commitments.overview")
    assert CHANGE in overview["text"]
    async with bot.db.transaction() as repos:
        assert (await repos.users.get(sam.id)).profile["step"] == "1"


async def test_the_hurt_partner_shares_what_would_help_as_a_request(bot, emu):
    sam, alex = await pair(bot, emu)
    sam_before = await quiet(sam)
    intro = await say(alex, "/responsibility", "responsibility.hurt_intro")
    assert "not owed on a schedule" in intro["text"]
    await needs(alex)
    confirm = await answer(alex, "responsibility.share_request", "responsibility.confirm_request")
    assert "Sam" in confirm["text"]
    assert await quiet(sam) == sam_before
    await answer(alex, "responsibility.send", "responsibility.request_sent")
    got = await expect(sam, "responsibility.partner_request")
    for words in (NEEDS_WORDS, "Alex", label("responsibility.need_space")):
        assert words in got["text"]
    [saved] = await reflections(bot, alex, "step1_hurt")
    assert saved.answers == {"needs": ["space", "transparency"], "looks_like": NEEDS_WORDS}
    assert saved.shared_at is not None


async def test_both_hurt_each_other_walks_both_paths_one_after_the_other(bot, emu):
    sam, alex = await pair(bot, emu, sam_role="both")
    await owning(sam, intro="responsibility.both_intro")
    await answer(sam, "responsibility.commit_no", "responsibility.ack")
    await apology(sam)
    await answer(sam, "responsibility.keep_private", "responsibility.apology_kept")
    bridge = (await sam.bot_messages())[-1]
    assert label("responsibility.bridge_go_on") in buttons_of(bridge)
    await answer(sam, "responsibility.bridge_go_on", "responsibility.hurt_intro")
    await needs(sam)
    await answer(sam, "responsibility.share_request", "responsibility.confirm_request")
    await answer(sam, "responsibility.send", "responsibility.request_sent")

    got = await expect(alex, "responsibility.partner_request")
    assert NEEDS_WORDS in got["text"]
    seen_by_alex = await chat_text(alex)
    for private in BROKE_WORDS:
        assert private not in seen_by_alex, "the apology was kept private"
    [broke] = await reflections(bot, sam, "step1_broke")
    [hurt] = await reflections(bot, sam, "step1_hurt")
    assert broke.shared_at is None and hurt.shared_at is not None
    assert broke.answers["commitment_id"] is None


async def test_words_kept_private_reach_nobody(bot, emu):
    sam, alex = await pair(bot, emu)
    await say(sam, "/responsibility", "responsibility.broke_intro")
    await answer(sam, "responsibility.begin", "responsibility.what")
    await say(sam, WHAT, "responsibility.impact")
    await say(sam, IMPACT, "responsibility.own")
    await say(sam, "It happened because you were never home", "responsibility.excuse_check")
    await answer(sam, "responsibility.keep_as_is", "responsibility.change")
    await say(sam, CHANGE, "responsibility.offer_commit")
    await answer(sam, "responsibility.commit_no", "responsibility.ack")
    await say(sam, ACK, "responsibility.accept")
    await say(sam, "It was my choice and nobody else's", "responsibility.actions")
    await say(sam, "I come home when I say I will", "responsibility.signs")
    await say(sam, SIGNS, "responsibility.apology_review")
    # A change of one part, then a share that is not confirmed.
    await answer(sam, "responsibility.change_part", "responsibility.which_part")
    await answer(sam, "responsibility.part_signs", "responsibility.edit_signs")
    review = await say(sam, "You'll see me answer your calls", "responsibility.apology_review")
    assert "You'll see me answer your calls" in review["text"] and SIGNS not in review["text"]
    await answer(sam, "responsibility.share_apology", "responsibility.confirm_share")
    await answer(sam, "responsibility.dont_send", "responsibility.apology_kept")

    await say(alex, "/responsibility", "responsibility.hurt_intro")
    await needs(alex)
    await answer(alex, "responsibility.keep_private", "responsibility.request_kept")

    alex_chat, sam_chat = await chat_text(alex), await chat_text(sam)
    for private in (
        WHAT,
        IMPACT,
        CHANGE,
        ACK,
        "my choice",
        "answer your calls",
        "because you were never home",
    ):
        assert private not in alex_chat
    assert NEEDS_WORDS not in sam_chat
    [broke] = await reflections(bot, sam, "step1_broke")
    [hurt] = await reflections(bot, alex, "step1_hurt")
    assert broke.shared_at is None and hurt.shared_at is None
    assert broke.answers["excuse_noticed"] == "because you"
    assert broke.answers["apology"]["signs"] == "You'll see me answer your calls"


async def test_a_private_safety_yes_is_never_offered_a_share(bot, emu):
    sam, alex = await pair(bot, emu, sam_role="hurt", alex_role="broke", alex_safety="yes")
    sam_before = await quiet(sam)
    await owning(alex)
    # The commitment is kept, and never shown to the partner: no visibility question.
    await answer(alex, "responsibility.commit_yes", "commit.days")
    await answer(alex, "commit.days_weekdays", "responsibility.commit_saved")
    await answer(alex, "responsibility.to_apology", "responsibility.ack")
    review = await apology(alex)
    assert "/sos" in review["text"]
    assert label("responsibility.share_apology") not in buttons_of(review)
    await answer(alex, "responsibility.keep_it", "responsibility.apology_kept")
    overview = await say(alex, "/commitments", "commitments.overview")
    assert CHANGE in overview["text"]
    assert await quiet(sam) == sam_before
    sam_chat = await chat_text(sam)
    for private in BROKE_WORDS:
        assert private not in sam_chat
    [kept] = await reflections(bot, alex, "step1_broke")
    assert kept.shared_at is None and kept.couple_id is None


async def test_coming_back_offers_a_look_and_shares_an_apology_saved_before_linking(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam, role="broke"), onboard(alex, role="hurt"))
    await owning(sam)
    await answer(sam, "responsibility.commit_no", "responsibility.ack")
    await apology(sam)
    await answer(sam, "responsibility.share_apology", "responsibility.apology_saved")

    back = await say(sam, "/responsibility", "responsibility.revisit")
    assert label("responsibility.share_saved") not in buttons_of(back)  # not linked yet
    look = await answer(sam, "responsibility.look_button", "responsibility.look")
    for words in (WHAT, IMPACT, OWN, CHANGE, ACK, SIGNS, "not shared"):
        assert words in look["text"]

    await link(sam, alex)
    alex_before = await quiet(alex)
    back = await say(sam, "/responsibility", "responsibility.revisit")
    assert "Alex" in back["text"]
    confirm = await answer(sam, "responsibility.share_saved", "responsibility.confirm_saved")
    assert ACK in confirm["text"] and "Alex" in confirm["text"]
    assert await quiet(alex) == alex_before
    await answer(sam, "responsibility.send", "responsibility.apology_sent")
    got = await expect(alex, "responsibility.partner_apology")
    assert ACK in got["text"] and SIGNS in got["text"]

    # Shared now, so it is not offered again; beginning again starts a new path.
    back = await say(sam, "/responsibility", "responsibility.revisit")
    assert label("responsibility.share_saved") not in buttons_of(back)
    await answer(sam, "responsibility.begin_again", "responsibility.broke_intro")
    [saved] = await reflections(bot, sam, "step1_broke")
    assert saved.shared_at is not None and saved.couple_id is None


async def test_a_role_kept_private_asks_which_fits(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam, role="private")
    await say(sam, "/responsibility", "responsibility.which")
    await answer(sam, "responsibility.which_hurt", "responsibility.hurt_intro")
    await needs(sam)
    await answer(sam, "responsibility.share_request", "responsibility.request_saved")
    [saved] = await reflections(bot, sam, "step1_hurt")
    assert saved.shared_at is None and saved.answers["looks_like"] == NEEDS_WORDS


async def test_a_restart_in_the_middle_keeps_the_place_and_the_words(settings, emu):
    async with running(settings) as bot:
        sam, alex = await pair(bot, emu)
        await say(sam, "/responsibility", "responsibility.broke_intro")
        await answer(sam, "responsibility.begin", "responsibility.what")
        await say(sam, WHAT, "responsibility.impact")
        await say(sam, IMPACT, "responsibility.own")
    async with running(settings) as bot:
        await say(sam, OWN, "responsibility.change")
        await say(sam, CHANGE, "responsibility.offer_commit")
        await answer(sam, "responsibility.commit_no", "responsibility.ack")
    async with running(settings) as bot:
        await apology(sam)
        await answer(sam, "responsibility.share_apology", "responsibility.confirm_share")
        await answer(sam, "responsibility.send", "responsibility.apology_sent")
        got = await expect(alex, "responsibility.partner_apology")
        assert OWN in got["text"]
        [saved] = await reflections(bot, sam, "step1_broke")
        assert saved.answers["what_happened"] == WHAT and saved.answers["impact"] == IMPACT
