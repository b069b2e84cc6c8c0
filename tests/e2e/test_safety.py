"""Safety end to end: crisis words typed, captioned or edited in mid-practice pause
it with the numbers for the user's country and tell the partner nothing; /sos
offers a grounding minute and a private safety plan that can be written (crisis
words and all) and recalled."""

from __future__ import annotations

from sqlalchemy import text

from tests.e2e.harness import (
    answer,
    chat_text,
    expect,
    label,
    onboard,
    quiet,
    reflections,
    say,
    words,
)
from tests.e2e.journeys import linked_pair, propose
from tests.e2e.test_agreements import versions

BERLIN_CRISIS_LINE = "0800 111 0 111"  # TelefonSeelsorge: both simulated users live in Berlin


async def _until_first_thought(user) -> None:
    await say(user, "/triggered", "practices.ground")
    await answer(user, "practices.steadier", "practices.when")
    await answer(user, "practices.when_now", "practices.first_thought")


async def test_crisis_words_pause_a_practice_and_the_partner_hears_nothing(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    alex_seen = await quiet(alex)
    await _until_first_thought(sam)
    asked = len(await sam.bot_messages())

    reply = await say(sam, "Honestly I want to die", "crisis.acute_suicide")
    assert BERLIN_CRISIS_LINE in reply["text"] and "findahelpline.com" in reply["text"]
    assert words("crisis.paused") in reply["text"]
    await answer(sam, "crisis.carry_on", "practices.first_thought")
    assert len(await sam.bot_messages()) > asked + 1  # the question was asked again

    await sam.send_photo(caption="i wanna die")
    await expect(sam, "crisis.acute_suicide", after=len(await sam.bot_messages()) - 1)
    mine = await sam.send("They are late again")
    await expect(sam, "practices.other1")
    await sam.edit(mine["message_id"], "he hit me again")
    await expect(sam, "crisis.acute_partner_violence", after=len(await sam.bot_messages()) - 1)

    assert await quiet(alex) == alex_seen
    everything_alex_saw = await chat_text(alex)
    for typed in ("die", "hurt myself", "hit me"):
        assert typed not in everything_alex_saw
    async with bot.db.transaction() as repos:
        session = (await repos.users.get(sam.id)).session
    # The crisis words never became answers; the words typed after them did.
    assert session["data"]["_first_thought"] == "They are late again"


async def test_a_safety_plan_is_written_kept_private_and_recalled_from_sos(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    alex_seen = await quiet(alex)
    sos = await say(sam, "/sos", "sos")
    assert BERLIN_CRISIS_LINE in sos["text"]
    await answer(sam, "safety.grounding_button", "safety.grounding")

    await answer(sam, "safety.plan_button", "safety.plan_intro")
    await answer(sam, "safety.plan_begin", "safety.plan_signs")
    signs = "When I can't sleep and start thinking about suicide"
    await say(sam, signs, "safety.plan_helps")  # no crisis interruption inside the plan
    await answer(sam, "safety.plan_skip", "safety.plan_people")
    people = "My sister Jo, 0151 2345678"
    review = await say(sam, people, "safety.plan_review")
    assert signs in review["text"] and people in review["text"]
    await answer(sam, "safety.plan_keep", "safety.plan_saved")

    await say(sam, "/sos", "sos")
    shown = await answer(sam, "safety.plan_button", "safety.plan_show")
    assert signs in shown["text"] and people in shown["text"]
    assert words("safety.plan_blank").strip("<i>") in shown["text"]

    [plan] = await reflections(bot, sam, "safety_plan")
    assert plan.answers == {"signs": signs, "helps": None, "people": people}
    async with bot.db.engine.connect() as connection:
        raw = (
            await connection.execute(
                text("SELECT answers_sealed FROM reflections WHERE id = :id"), {"id": plan.id}
            )
        ).scalar()
    assert signs not in raw and people not in raw  # sealed at rest
    assert await quiet(alex) == alex_seen and people not in await chat_text(alex)


async def test_a_changed_plan_replaces_the_old_one(bot, emu):
    sam, _ = await linked_pair(bot, emu)
    for signs, shown, begin in (
        ("First version of my signs", "safety.plan_intro", "safety.plan_begin"),
        ("Second version of my signs", "safety.plan_show", "safety.plan_change"),
    ):
        await say(sam, "/safetyplan", shown)
        await answer(sam, begin, "safety.plan_signs")
        await say(sam, signs, "safety.plan_helps")
        await answer(sam, "safety.plan_skip", "safety.plan_people")
        await answer(sam, "safety.plan_skip", "safety.plan_review")
        await answer(sam, "safety.plan_keep", "safety.plan_saved")
    [plan] = await reflections(bot, sam, "safety_plan")
    assert plan.answers["signs"] == "Second version of my signs"


async def _set_safety(user, choice: str) -> None:
    await say(user, "/settings", "settings.menu")
    await answer(user, "settings.change_safety", "onboarding.safety")
    if choice == "yes":
        support = await answer(user, "onboarding.safety_yes", "onboarding.safety_yes_reply")
        assert BERLIN_CRISIS_LINE in support["text"]  # resources offered at once
        await answer(user, "onboarding.continue", "settings.menu")
    else:
        await answer(user, f"onboarding.safety_{choice}", "settings.menu")
    await answer(user, "settings.done", "settings.closed")


async def test_a_safety_yes_in_settings_stops_every_word_to_the_partner_until_changed(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await propose(alex, "We say when plans change")
    await expect(sam, "ledger.notify")
    await _set_safety(sam, "yes")
    alex_seen = await quiet(alex)

    await sam.press(label("ledger.accept"))  # the proposal that came before
    await expect(sam, "ledger.safety_off", after=len(await sam.bot_messages()) - 1)
    await propose(sam, "I keep my evenings to myself", then="ledger.kept_safe")
    await say(sam, "/acknowledge", "practices.ack_safety")
    await say(sam, "/listen", "listening.unsafe_intro")
    assert await quiet(alex) == alex_seen  # told nothing, not even that anything changed
    assert "evenings" not in await chat_text(alex)
    assert {row[2] for row in await versions(bot)} == {"pending", "accepted"}

    await _set_safety(sam, "no")
    await propose(sam, "We take a walk on Sundays")
    await expect(alex, "ledger.notify", after=alex_seen)


async def test_a_concern_is_asked_and_each_answer_leads_where_it_should(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    alex_seen = await quiet(alex)
    await _until_first_thought(sam)
    concern = "honestly whats the point of any of it anymore"

    await say(sam, concern, "check.ask_life")
    await answer(sam, "check.ask_life_no", "practices.first_thought")  # straight back

    await say(sam, concern, "check.ask_life")
    shown = await answer(sam, "check.unsure", "check.life_unsure")
    assert BERLIN_CRISIS_LINE in shown["text"]
    await answer(sam, "crisis.carry_on", "practices.first_thought")

    await say(sam, concern, "check.ask_life")
    shown = await answer(sam, "check.ask_life_yes", "check.life_yes")
    assert BERLIN_CRISIS_LINE in shown["text"]
    await answer(sam, "safety.plan_button", "safety.plan_intro")
    await answer(sam, "safety.plan_later", "safety.plan_whenever")
    await answer(sam, "crisis.carry_on", "practices.first_thought")
    await say(sam, "They forgot to call", "practices.other1")  # the answer is taken

    assert await quiet(alex) == alex_seen
    assert "point of any of it" not in await chat_text(alex)
    async with bot.db.transaction() as repos:
        session = (await repos.users.get(sam.id)).session
    assert session["data"]["_first_thought"] == "They forgot to call"
    assert concern not in str(session)


async def test_violence_by_the_partner_offers_the_private_mode_and_tells_the_partner_nothing(
    bot, emu
):
    sam, alex = await linked_pair(bot, emu)
    alex_seen = await quiet(alex)
    await _until_first_thought(sam)
    reply = await say(
        sam, "he grabbed me by the throat last night", "crisis.acute_partner_violence"
    )
    assert "/erase" in reply["text"] and BERLIN_CRISIS_LINE in reply["text"]
    await answer(sam, "crisis.private_mode_button", "crisis.private_mode_on")
    await answer(sam, "crisis.carry_on", "practices.first_thought")
    async with bot.db.transaction() as repos:
        assert (await repos.users.get(sam.id)).profile["safety"] == "yes"
    await say(sam, "/acknowledge", "practices.ack_safety")  # no couple exercises now

    await say(sam, "i walk on eggshells around him every day", "check.ask_safe")
    unsafe = await answer(sam, "check.ask_safe_no", "check.unsafe")
    assert "/erase" in unsafe["text"]
    assert await quiet(alex) == alex_seen
    assert "throat" not in await chat_text(alex) and "eggshells" not in await chat_text(alex)


async def test_the_urge_to_hurt_someone_gets_a_calm_answer(bot, emu):
    sam, _ = await linked_pair(bot, emu)
    reply = await say(sam, "i want to hurt him so bad i could break his face", "crisis.urge")
    assert words("safety.grounding_button") in str(reply.get("reply_markup"))


async def test_strong_feeling_outside_a_flow_is_met_warmly(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    reply = await say(
        sam, "I found another message from her tonight. I'm shaking.", "common.feeling_outside"
    )
    assert words("common.feeling_triggered") in str(reply.get("reply_markup"))
    await answer(sam, "common.feeling_triggered", "practices.ground")
