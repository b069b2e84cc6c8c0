"""Every command, and every kind of bad input at every onboarding step: a kind reply,
nothing changed, nothing crashed."""

from __future__ import annotations

import pytest

from flows.commands import MENU_COMMANDS
from flows.engine import TYPED_AT
from tests.e2e.harness import (
    answer,
    expect,
    label,
    onboard,
    say,
    until_role,
    wait_for_button,
    words,
)


async def _state(bot, user_id):
    async with bot.db.transaction() as repos:
        row = await repos.users.get(user_id)
    return row.session, row.profile


async def test_command_menu_is_set(bot, emu):
    state = await emu.state()
    assert [c["command"] for c in state["commands"]] == list(MENU_COMMANDS)


@pytest.mark.parametrize(
    ("command", "key"),
    [
        ("/help", "help"),
        ("/privacy", "privacy"),
        ("/sos", "sos"),
        ("/menu", "menu.text"),
        ("/settings", "settings.menu"),
        ("/cancel", "common.nothing_to_cancel"),
        ("/start", "welcome_back"),
        ("/whatever", "common.unknown_command"),
    ],
)
async def test_every_command_answers_after_onboarding(bot, emu, command, key):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, command, key)


async def test_free_text_outside_a_flow_is_answered_not_stored(bot, emu):
    sam = await emu.create_user("Sam")
    await say(sam, "hello?", "common.needs_onboarding")
    await onboard(sam)
    before = await _state(bot, sam.id)
    await say(sam, "my secret thought", "common.free_text_outside_flow")
    assert await _state(bot, sam.id) == before


async def test_sos_works_mid_flow_and_the_place_is_kept(bot, emu):
    sam = await emu.create_user("Sam")
    await until_role(sam)
    before = await _state(bot, sam.id)
    await say(sam, "/sos", "sos")
    assert await _state(bot, sam.id) == before
    await answer(sam, "onboarding.role_hurt", "onboarding.causes")


async def test_crisis_words_get_resources_first(bot, emu):
    sam = await emu.create_user("Sam")
    await until_role(sam)
    await answer(sam, "onboarding.role_hurt", "onboarding.causes")
    await answer(sam, "causes.other", "onboarding.cause_other_prompt")
    before = await _state(bot, sam.id)
    await say(sam, "sometimes i wonder what is the point of living", "check.ask_life")
    unsure = await answer(sam, "check.unsure", "check.life_unsure")
    assert "findahelpline.com" in unsure["text"]
    # No zone yet: their country is asked in one tap, not six countries listed.
    await sam.press("The United States")
    numbers = await expect(sam, "crisis.numbers_here", after=len(await sam.bot_messages()) - 1)
    assert "988" in numbers["text"] and "116 123" not in numbers["text"]
    await answer(sam, "crisis.carry_on", "onboarding.cause_other_prompt")
    session, profile = await _state(bot, sam.id)
    assert session == before[0] and profile == {**before[1], "country": "US"}
    await say(sam, "the money he hid from me", "onboarding.causes")  # taken as the answer


BAD_INPUTS = [
    "sticker",
    "photo",
    "voice",
    "location",
    "long",
    "empty",
    "html",
    "edit",
    "stale",
    "forged",
    "command",
]


async def _send_bad(sam, kind, last_user_message):
    if kind in ("sticker", "photo", "voice"):
        return await getattr(sam, f"send_{kind}")()
    if kind == "location":
        return await sam.send_location(48.85, 2.35)
    if kind == "long":
        return await sam.send("x" * 10_000)
    if kind == "empty":
        # Telegram apps will not send a blank message, but a raw update can carry one.
        return await sam.client.inject_update(
            {
                "message": {
                    "message_id": 10_000,
                    "date": 0,
                    "text": "   ",
                    "from": {"id": sam.id, "is_bot": False, "first_name": sam.first_name},
                    "chat": {"id": sam.id, "type": "private", "first_name": sam.first_name},
                }
            }
        )
    if kind == "html":
        return await sam.send("<b>bold</b> & <script>")
    if kind == "edit":
        await sam.edit(last_user_message, "changed my mind")
        return None
    if kind == "stale":
        first = (await sam.bot_messages())[0]
        await sam.press(callback_data="f0:begin", message_id=first["message_id"], forge=True)
        return None
    if kind == "forged":
        await sam.press(callback_data="f999:<b>drop table", forge=True)
        return None
    return await sam.send("/privacy")


STEPS = [
    ("onboarding.welcome", []),
    ("onboarding.consent", ["onboarding.begin"]),
    ("onboarding.role", ["onboarding.begin", "onboarding.consent_yes"]),
    ("onboarding.causes", ["onboarding.begin", "onboarding.consent_yes", "onboarding.role_hurt"]),
    (
        "onboarding.safety",
        [
            "onboarding.begin",
            "onboarding.consent_yes",
            "onboarding.role_hurt",
            "causes.dishonesty",
            "onboarding.causes_done",
            "onboarding.hope_rebuild",
        ],
    ),
    (
        "onboarding.reminder",
        [
            "onboarding.begin",
            "onboarding.consent_yes",
            "onboarding.role_hurt",
            "causes.dishonesty",
            "onboarding.causes_done",
            "onboarding.hope_rebuild",
            "onboarding.safety_no",
            "zones.Asia/Tokyo",
            "onboarding.zone_confirm_yes",
        ],
    ),
]


def _answers(state):
    """Session and profile without the count of lines typed where a button answers."""
    session, profile = state
    data = {k: v for k, v in (session or {}).get("data", {}).items() if k != TYPED_AT}
    return ({**session, "data": data} if session else session), profile


@pytest.mark.parametrize(("step_key", "presses"), STEPS, ids=[s[0] for s in STEPS])
async def test_bad_input_at_each_step_changes_nothing(bot, emu, step_key, presses):
    sam = await emu.create_user("Sam")
    start = await sam.send("/start")
    await expect(sam, "onboarding.welcome", after=start["message_id"])
    for key in presses:
        await wait_for_button(sam, label(key))
        await sam.press(label(key))
    await expect(sam, step_key)
    before = await _state(bot, sam.id)
    for kind in BAD_INPUTS:
        count = len(await sam.bot_messages())
        answers = len((await sam.chat())["callback_answers"])
        await _send_bad(sam, kind, start["message_id"])
        await sam.wait_for(
            lambda d, c=count, a=answers: (
                len([m for m in d["messages"] if m["sender"] == "bot"]) > c
                or len(d["callback_answers"]) > a
            ),
            description=f"a reply to {kind}",
        )
        assert _answers(await _state(bot, sam.id)) == _answers(before), kind
    log = await emu.log()
    assert not [c for c in log if c["status"] >= 400], "the bot never made Telegram refuse"


async def test_html_in_a_users_words_is_kept_as_typed(bot, emu):
    sam = await emu.create_user("Sam")
    await until_role(sam)
    await answer(sam, "onboarding.role_hurt", "onboarding.causes")
    await sam.press(label("causes.dishonesty"))
    await answer(sam, "onboarding.causes_done", "onboarding.hopes")
    await answer(sam, "onboarding.hope_rebuild", "onboarding.safety")
    await answer(sam, "onboarding.safety_no", "onboarding.zone")
    reply = await say(sam, "<i>Narnia</i> & co", "onboarding.zone_not_found")
    assert "<i>Narnia</i> & co" in reply["text"]


def test_words_for_commands_exist():
    assert words("help")
