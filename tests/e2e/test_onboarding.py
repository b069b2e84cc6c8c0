"""Onboarding end to end: the real PTB Application polling the emulator, two partners."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from content import catalog
from tests.e2e.harness import answer, expect, label, onboard, say, until_role, words


async def test_two_partners_onboard_at_the_same_time(bot, emu):
    sam = await emu.create_user("Sam")
    alex = await emu.create_user("Alex")
    await asyncio.gather(onboard(sam, role="hurt"), onboard(alex, role="broke", city="Tokyo"))
    async with bot.db.transaction() as repos:
        sam_row = await repos.users.get(sam.id)
        alex_row = await repos.users.get(alex.id)
    assert sam_row.onboarded_at and alex_row.onboarded_at
    assert (sam_row.time_zone, alex_row.time_zone) == ("Europe/Berlin", "Asia/Tokyo")
    assert sam_row.reminder_time == "20:00"
    assert sam_row.profile["role"] == "hurt" and alex_row.profile["role"] == "broke"
    assert sam_row.profile["causes"] == ["dishonesty"]
    assert sam_row.profile["hopes"] == "To trust each other again"
    assert sam_row.session is None


async def test_onboarding_edits_answered_questions_instead_of_cluttering(bot, emu):
    sam = await emu.create_user("Sam")
    await say(sam, "/start", "onboarding.welcome")
    await answer(sam, "onboarding.begin", "onboarding.consent")
    welcome = (await sam.bot_messages())[0]
    assert welcome["edit_count"] >= 1
    assert sam.buttons(welcome) == []
    assert "✓ " + label("onboarding.begin") in welcome["text"]


async def test_each_reply_arrives_exactly_once(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    texts = [m["text"] for m in await sam.bot_messages()]
    assert len(texts) == len(set(texts)), texts
    calls = [c for c in await emu.log() if c["method"] == "sendMessage"]
    assert len(calls) == len(texts)


async def test_location_share_finds_the_zone_and_confirms_local_time(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard_until_zone(sam)
    sent = await sam.send_location(40.71, -74.0)
    confirm = await expect(sam, "onboarding.zone_confirm", after=sent["message_id"])
    assert "America/New York" in confirm["text"]
    chat = await sam.chat()
    assert chat["reply_keyboard"] is None  # the location button went away


async def test_safety_yes_offers_resources_and_is_never_shown(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam, safety="yes")
    texts = " ".join(m["text"] for m in await sam.bot_messages())
    assert "1-800-799-7233" in texts  # a domestic-violence line was offered
    menu = (await sam.bot_messages())[-1]
    assert words("menu.safety_note") in menu["text"]


async def test_declining_consent_stores_nothing(bot, emu):
    sam = await emu.create_user("Sam")
    await say(sam, "/start", "onboarding.welcome")
    await answer(sam, "onboarding.begin", "onboarding.consent")
    await answer(sam, "onboarding.consent_no", "onboarding.consent_declined")
    async with bot.db.engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT profile_sealed, session_sealed FROM users WHERE id = :id"),
                {"id": sam.id},
            )
        ).one()
    assert row == (None, None)


async def test_custom_reminder_time_and_later_settings_change(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/settings", "settings.menu")
    await answer(sam, "settings.change_reminder", "onboarding.reminder")
    await answer(sam, "onboarding.reminder_custom", "onboarding.reminder_custom_prompt")
    await say(sam, "whenever suits", "onboarding.reminder_bad_time")
    menu = await say(sam, "7:45", "settings.menu")
    assert "07:45" in menu["text"]
    await answer(sam, "settings.done", "settings.closed")
    async with bot.db.transaction() as repos:
        assert (await repos.users.get(sam.id)).reminder_time == "07:45"


async def test_cancel_keeps_answers_and_start_begins_again(bot, emu):
    sam = await emu.create_user("Sam")
    await until_role(sam)
    await answer(sam, "onboarding.role_both", "onboarding.causes")
    await say(sam, "/cancel", "common.cancelled")
    async with bot.db.transaction() as repos:
        row = await repos.users.get(sam.id)
    assert row.profile["role"] == "both" and row.session is None
    await say(sam, "/menu", "menu.not_ready")
    await say(sam, "/start", "onboarding.welcome")


async def onboard_until_zone(user):
    await until_role(user)
    await answer(user, "onboarding.role_private", "onboarding.causes")
    await answer(user, "causes.other", "onboarding.cause_other_prompt")
    await say(user, "Years of silence", "onboarding.causes")
    await answer(user, "onboarding.causes_done", "onboarding.hopes")
    await answer(user, "onboarding.hope_skip", "onboarding.safety")
    await answer(user, "onboarding.safety_no", "onboarding.zone")


def test_words_helper_finds_real_text():
    assert words("onboarding.role") in catalog().plain("onboarding.role").replace("\n", " ")


async def test_only_the_current_question_keeps_live_buttons(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)  # answers hopes and the zone by typing, the rest by buttons

    def settled(document: dict) -> bool:
        with_buttons = [m for m in document["messages"] if m["sender"] == "bot" and sam.buttons(m)]
        return len(with_buttons) == 1

    document = await sam.wait_for(settled, description="one message with buttons")
    last = [m for m in document["messages"] if m["sender"] == "bot"][-1]
    assert sam.buttons(last), "the menu at the end keeps its buttons"
