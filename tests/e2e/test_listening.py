"""Step 2, deep listening, end to end: two partners' chats interleaving through the real bot.

The speaker writes in parts and sends only after reading it back; the listener
reflects; the speaker answers until heard; roles swap; either pauses and the
exercise resumes days later; unlinking ends it; buttons are checked against the
database; a restart keeps everything; alone, it is a solo practice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from flows.engine import item_data
from playground.client import SimUser
from tests.e2e.harness import answer, expect, label, onboard, running, say, settled, words
from tests.e2e.journeys import invite, linked_pair
from tests.e2e.test_nudges import EVENING, at, data_of, messages_with

PART_ONE = "When I found the messages, the floor went out from under me."
PART_TWO = "What I need you to see is that I still doubt my own memory of us."
HEARD_FIRST = "What I hear is that finding them shook everything you believed."
MISSED = "The doubt about our past, not only the night itself."


async def share(speaker: SimUser, *parts: str) -> None:
    """/listen → begin → the parts → read back → send → confirm."""
    await say(speaker, "/listen", "listening.intro")
    await answer(speaker, "listening.begin", "listening.write")
    for part in parts:
        await say(speaker, part, "listening.written")
    review = await answer(speaker, "listening.read_back", "listening.review")
    assert all(part in review["text"] for part in parts)
    await answer(speaker, "listening.send", "listening.confirm_send")
    await answer(speaker, "listening.send_yes", "listening.sent")


async def reflect(listener: SimUser, hear: str, after: int = 0) -> None:
    """From the notice: Reflect back → what I hear → what makes sense → skip → send."""
    notice = (
        await expect(listener, "listening.notify_shared", after=after)
        if not after
        else (await listener.last_bot_message())
    )
    await listener.press(label("listening.reflect"), message_id=notice["message_id"])
    await expect(listener, "listening.hear", after=notice["message_id"])
    await say(listener, hear, "listening.validate")
    await say(listener, "It makes sense you feel unsteady, because I hid it.", "listening.imagine")
    await answer(listener, "listening.skip", "listening.reflection_review")
    await answer(listener, "listening.send", "listening.reflection_sent")


async def exercises(bot) -> list[tuple]:
    async with bot.db.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT status, attempt, speaker_id FROM listening_exercises ORDER BY id")
        )
        return [tuple(row) for row in rows]


async def test_speaker_is_reflected_until_heard_then_the_roles_swap(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await share(sam, PART_ONE, PART_TWO)
    shared = await expect(alex, "listening.notify_shared")
    assert PART_ONE in shared["text"] and PART_TWO in shared["text"]
    await reflect(alex, HEARD_FIRST)

    reflection = await expect(sam, "listening.notify_reflection")
    assert HEARD_FIRST in reflection["text"]
    await sam.press(label("listening.partly"), message_id=reflection["message_id"])
    await expect(sam, "listening.missed", after=reflection["message_id"])
    await say(sam, MISSED, "listening.missed_sent")

    again = await expect(alex, "listening.notify_partly")
    assert MISSED in again["text"]
    await alex.press(label("listening.reflect"), message_id=again["message_id"])
    await expect(alex, "listening.hear", after=again["message_id"])
    await say(alex, "What I hear is that you doubt our whole past now.", "listening.validate")
    await say(alex, "It makes sense, since I rewrote it.", "listening.imagine")
    await say(alex, "Lonely, like the ground moved.", "listening.reflection_review")
    await answer(alex, "listening.send", "listening.reflection_sent")

    second = await expect(sam, "listening.notify_reflection", after=reflection["message_id"])
    assert "doubt our whole past" in second["text"] and "Lonely" in second["text"]
    await sam.press(label("listening.heard"), message_id=second["message_id"])
    await expect(sam, "listening.heard_thanks", after=second["message_id"])
    await expect(alex, "listening.notify_heard")
    assert (await exercises(bot))[0][:2] == ("heard", 2)

    await answer(sam, "listening.swap", "listening.swap_offered")
    swap = await expect(alex, "listening.notify_swap")
    await alex.press(label("listening.speak_now"), message_id=swap["message_id"])
    await expect(alex, "listening.your_turn", after=swap["message_id"])


async def test_nothing_reaches_the_partner_before_the_confirmed_send(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await say(sam, "/listen", "listening.intro")
    await answer(sam, "listening.begin", "listening.write")
    await say(sam, PART_ONE, "listening.written")
    await say(sam, "/menu", "menu.text")  # a command mid-writing keeps the parts
    resumed = await say(sam, "/listen", "listening.resume_writing")
    assert "1" in resumed["text"]
    await answer(sam, "listening.add_more", "listening.write")
    await say(sam, PART_TWO, "listening.written")
    await answer(sam, "listening.read_back", "listening.review")
    await answer(sam, "listening.send", "listening.confirm_send")
    await answer(sam, "listening.send_not_yet", "listening.kept")
    await settled(bot, emu)
    for message in await alex.bot_messages():
        assert PART_ONE not in (message.get("text") or "")
        assert PART_TWO not in (message.get("text") or "")
    assert await exercises(bot) == []
    # Starting over clears the unsent parts, and still nothing went anywhere.
    await say(sam, "/listen", "listening.resume_writing")
    await answer(sam, "listening.start_over", "listening.restart_confirm")
    await answer(sam, "listening.restart_yes", "listening.write")
    await say(sam, "Just this, for now.", "listening.written")
    review = await answer(sam, "listening.read_back", "listening.review")
    assert PART_ONE not in review["text"] and "Just this, for now." in review["text"]


async def test_a_pause_with_kind_words_waits_days_and_resumes_where_it_was(settings, emu, clock):
    clock.set(EVENING)
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        await share(sam, PART_ONE)
        notice = await expect(alex, "listening.notify_shared")
        await alex.press(label("listening.pause"), message_id=notice["message_id"])
        await expect(alex, "listening.pause_confirm", after=notice["message_id"])
        await answer(alex, "listening.pause_with_words", "listening.pause_words")
        await say(alex, "I want to get this right, not rush it.", "listening.pause_review")
        await answer(alex, "listening.pause_send", "listening.paused_now")
        paused = await expect(sam, "listening.notify_paused")
        assert "not rush it" in paused["text"]
        assert (await exercises(bot))[0][0] == "paused"

        await at(bot, clock, clock.now() + timedelta(days=5))
        await say(alex, "/listen", "listening.paused")
        intro = await answer(alex, "listening.resume", "listening.reflect_intro")
        assert PART_ONE in intro["text"]
        await expect(sam, "listening.notify_resumed")
        await answer(alex, "listening.reflect", "listening.hear")


async def test_only_the_one_who_paused_resumes_and_the_other_may_ask_once(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await share(sam, PART_ONE)
    notice = await expect(alex, "listening.notify_shared")
    await alex.press(label("listening.pause"), message_id=notice["message_id"])
    await expect(alex, "listening.pause_confirm", after=notice["message_id"])
    await answer(alex, "listening.pause_now", "listening.paused_now")
    paused = await expect(sam, "listening.notify_paused")
    assert label("listening.resume") not in SimUser.buttons(paused)
    exercise_id = int(data_of(paused, label("listening.ask_gently")).split(":")[2])

    # A Resume press from Sam (an older notice's, or forged) is not his to make.
    await sam.press(callback_data=item_data("l", exercise_id, "resume"), forge=True)
    await expect(sam, "listening.held", after=paused["message_id"])
    assert (await exercises(bot))[0][0] == "paused"
    await say(sam, "/listen", "listening.held")

    # He may ask once, after reading what Alex will get; Alex keeps her Resume.
    last = (await sam.last_bot_message())["message_id"]
    await sam.press(label("listening.ask_gently"), message_id=paused["message_id"])
    await expect(sam, "listening.ask_confirm", after=last)
    await answer(sam, "listening.ask_send", "listening.asked")
    asked = await expect(alex, "listening.notify_asked")
    last = (await sam.last_bot_message())["message_id"]
    await sam.press(label("listening.ask_gently"), message_id=paused["message_id"])
    await expect(sam, "listening.held_asked", after=last)
    await settled(bot, emu)
    assert len(await messages_with(alex, "listening.notify_asked")) == 1
    assert (await exercises(bot))[0][0] == "paused"

    await alex.press(label("listening.resume"), message_id=asked["message_id"])
    await expect(alex, "listening.reflect_intro", after=asked["message_id"])
    await expect(sam, "listening.notify_resumed")
    assert (await exercises(bot))[0][0] == "listening"


async def test_unlinking_ends_the_exercise_for_both(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await share(sam, PART_ONE)
    notice = await expect(alex, "listening.notify_shared")
    await say(sam, "/unlink", "link.unlink_confirm")
    await answer(sam, "link.unlink_yes", "link.unlinked")
    await expect(alex, "link.partner_unlinked")
    await alex.press(label("listening.reflect"), message_id=notice["message_id"])
    await expect(alex, "listening.ended", after=notice["message_id"])
    assert (await exercises(bot))[0][0] == "ended"
    await say(sam, "/listen", "listening.solo_intro")


async def test_stale_forged_double_and_strangers_presses_change_nothing(bot, emu):
    sam, alex = await linked_pair(bot, emu)
    await share(sam, PART_ONE)
    await reflect(alex, HEARD_FIRST)
    reflection = await expect(sam, "listening.notify_reflection")
    exercise_id = int(data_of(reflection, label("listening.heard")).split(":")[2])

    await sam.press(label("listening.heard"), message_id=reflection["message_id"])
    await expect(sam, "listening.heard_thanks", after=reflection["message_id"])
    last = (await sam.last_bot_message())["message_id"]
    await sam.press(label("listening.notyet"), message_id=reflection["message_id"])
    await expect(sam, "listening.stale", after=last)  # it moved on
    await answer(sam, "listening.where_now", "listening.intro")

    last = (await alex.last_bot_message())["message_id"]
    await alex.press(callback_data=item_data("l", exercise_id, "heard"), forge=True)
    await expect(alex, "listening.stale", after=last)  # not the listener's to answer

    stranger = await emu.create_user("Jo")
    await onboard(stranger)
    await stranger.press(callback_data=item_data("l", exercise_id, "heard"), forge=True)
    await expect(stranger, "listening.refused")
    last = (await stranger.last_bot_message())["message_id"]
    await stranger.press(callback_data=item_data("l", 99999, "reflect"), forge=True)
    await expect(stranger, "listening.refused", after=last)
    assert [row[0] for row in await exercises(bot)] == ["heard"]


async def test_a_restart_mid_exercise_keeps_every_word(settings, emu, clock):
    clock.set(EVENING)
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        await share(sam, PART_ONE)
        notice = await expect(alex, "listening.notify_shared")
        await alex.press(label("listening.reflect"), message_id=notice["message_id"])
        await expect(alex, "listening.hear", after=notice["message_id"])
        await say(alex, HEARD_FIRST, "listening.validate")
    async with running(settings, clock):
        await say(alex, "It makes sense you feel unsteady.", "listening.imagine")
        review = await answer(alex, "listening.skip", "listening.reflection_review")
        assert HEARD_FIRST in review["text"]
        await answer(alex, "listening.send", "listening.reflection_sent")
        reflection = await expect(sam, "listening.notify_reflection")
        assert HEARD_FIRST in reflection["text"]


async def test_a_silent_listener_is_reminded_once(settings, emu, clock):
    clock.set(EVENING)
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        await share(sam, PART_ONE)
        await expect(alex, "listening.notify_shared")
        await at(bot, clock, clock.now() + timedelta(hours=24, seconds=5))
        recall = await expect(alex, "nudges.listening_listening")
        await at(bot, clock, clock.now() + timedelta(days=2))
        await settled(bot, emu)
        assert len(await messages_with(alex, "nudges.listening_listening")) == 1
        await alex.press(label("nudges.listening_open"), message_id=recall["message_id"])
        await expect(alex, "listening.reflect_intro", after=recall["message_id"])


async def test_alone_it_is_a_solo_practice_kept_privately(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/listen", "listening.solo_intro")
    await answer(sam, "listening.begin", "listening.solo_write")
    await say(sam, "That I need honesty even when it's awkward.", "listening.solo_sample")
    await say(
        sam,
        "What I hear is that the silence made you feel you didn't matter.",
        "listening.solo_model",
    )
    async with bot.db.transaction() as repos:
        saved = await repos.reflections.latest(sam.id, "listen_solo")
    assert saved.answers["words"] == "That I need honesty even when it's awkward."


async def test_someone_not_safe_is_not_brought_into_it(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await onboard(sam)
    await onboard(alex, safety="yes")
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.safety_pause")
    await answer(alex, "link.go_on", "link.linked")
    await say(alex, "/listen", "listening.unsafe_intro")
    await share(sam, PART_ONE)
    await settled(bot, emu)
    assert not await messages_with(alex, PART_ONE)
    assert words("listening.notify_shared") not in " ".join(
        m.get("text") or "" for m in await alex.bot_messages()
    )
