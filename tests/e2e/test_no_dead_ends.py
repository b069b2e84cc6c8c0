"""Places where the bot used to mislead or leave a person with nothing to do (issue 15):
times in words, answers over the limit, mistyped invitation codes, a command in the middle
of a flow, typing where a button is expected, two reminders at once, the commitments grid
and the command menu."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import BotCommandScopeAllPrivateChats

from flows.router import COMMANDS, MENU_COMMANDS
from playground.client import SimUser
from tests.e2e.harness import answer, expect, label, onboard, running, say, words
from tests.e2e.journeys import CODE, LINK
from tests.e2e.test_nudges import EVENING, commit


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


async def test_a_command_mid_flow_says_where_the_earlier_step_went(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/commit", "commit.wording")
    await say(sam, "I text you when I will be late", "commit.days")
    aside = await say(sam, "/weekly", "common.put_aside_kept")
    assert "/commit" in aside["text"]
    await expect(sam, "weekly.intro", after=aside["message_id"] - 1)
    await say(sam, "/commit", "common.picked_up")
    # Nothing typed yet: leaving says how to begin again.
    await say(sam, "/cancel", "common.cancelled")
    await say(sam, "/commit", "commit.wording")
    fresh = await say(sam, "/weekly", "common.put_aside_fresh")
    assert "/commit" in fresh["text"]


async def test_lines_typed_where_a_button_answers_are_not_met_with_the_same_words(bot, emu):
    sam = await emu.create_user("Sam")
    await onboard(sam)
    await say(sam, "/commit", "commit.wording")
    await say(sam, "I text you when I will be late", "commit.days")
    for line in ("every day", "all of them", "daily", "yes", "every", "7"):
        await sam.send(line)

    def answered(document: dict) -> bool:  # the last of the six replies has arrived
        return (
            len(
                [
                    m
                    for m in document["messages"]
                    if m["sender"] == "bot"
                    and words("common.use_buttons_again") in (m["text"] or "")
                ]
            )
            == 3
        )

    await sam.wait_for(answered, description="six replies")
    texts = [m["text"] for m in await sam.bot_messages()]
    assert len([t for t in texts if words("common.use_buttons") in t]) == 1
    assert len([t for t in texts if words("common.use_buttons_still") in t]) == 2
    await answer(sam, "commit.days_every", "commit.review")  # the question still answers


async def test_a_mistyped_code_can_be_typed_again_within_the_guessing_limit(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    await say(sam, "/link", "link.choose")
    invitation = await answer(sam, "link.invite", "link.invitation")
    code = CODE.search(invitation["text"]).group(1)
    await say(alex, "/link", "link.choose")
    await answer(alex, "link.have_code", "link.enter_code")
    await say(alex, "ABCD-EFGH", "link.not_found")
    await say(alex, "WXYZ-2345", "link.not_found")
    await say(alex, code, "link.offer")  # the right one, still within the limit
    await answer(alex, "link.accept", "link.linked")
    await expect(sam, "link.invitee_accepted")


async def test_taking_an_invitation_back_after_the_partner_joined_says_they_are_linked(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    await say(sam, "/link", "link.choose")
    invitation = await answer(sam, "link.invite", "link.invitation")
    token = LINK.search(invitation["text"]).group(2)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.linked")
    await expect(sam, "link.invitee_accepted")
    await sam.press(label("link.revoke"), message_id=invitation["message_id"])
    told = await expect(sam, "link.revoke_too_late")
    assert "Alex" in told["text"] and words("link.revoked") not in told["text"]


async def test_the_command_menu_shows_a_few_in_private_chats_and_help_lists_them_all(bot, emu):
    private = await bot.application.bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert [c.command for c in private] == list(MENU_COMMANDS)
    assert len(MENU_COMMANDS) <= 8 and await bot.application.bot.get_my_commands() == ()
    sam = await emu.create_user("Sam")
    await onboard(sam)
    menu = await say(sam, "/menu", "menu.text")
    assert label("menu.button_help") in SimUser.buttons(menu) and "/help" in menu["text"]
    await sam.press(label("menu.button_help"), message_id=menu["message_id"])
    shown = await expect(sam, "help", after=menu["message_id"])
    assert [name for name in COMMANDS if f"/{name}" not in shown["text"]] == []


async def test_the_commitments_grid_has_day_headers_starts_with_the_commitment_and_waits_for_today(
    settings, emu, clock
):
    # Wednesday 7 January 2026, noon in Berlin: the commitment is new, its check-in at 20:00.
    clock.set(datetime(2026, 1, 7, 11, 0, tzinfo=UTC))
    async with running(settings, clock):
        sam = await emu.create_user("Sam")
        await onboard(sam)
        await commit(sam, "I text when I'm running late")
        overview = await say(sam, "/commitments", "commitments.overview")
        lines = overview["text"].splitlines()
        header = lines.index("week of  M T W T F S S")
        weeks = [line for line in lines if line.startswith(("Jan 5", "Dec 29", "Dec 22"))]
        assert weeks == ["Jan 5        ·        "]  # Mon, Tue before it; Wed not yet
        assert lines[header + 1] == weeks[0]
        # Each mark stands under its weekday: Wednesday's "·" under the header's "W".
        assert weeks[0].index("·") == lines[header].index("W")


async def test_reminders_come_at_the_one_time_onboarding_promised(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam = await emu.create_user("Sam")
        await onboard(sam)  # evening: 20:00 in Berlin
        promise = next(
            m["text"] for m in await sam.bot_messages() if words("onboarding.reminder") in m["text"]
        )
        assert "once a day" not in promise
        await commit(sam, "I text when I'm running late")
        before = len(await sam.bot_messages())
        clock.set(EVENING)
        await bot.scheduler.tick()
        await expect(sam, "nudges.checkin")
        await expect(sam, "nudges.empathy")
        # Two messages at the one reminder time: what the promise now says.
        assert len(await sam.bot_messages()) >= before + 2


async def test_leaving_an_invitation_the_partner_accepted_is_not_announced(bot, emu):
    """The invitation screen waits on the partner: once they have joined, a command is
    just a command, not "I've left /link for now"."""
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    await say(sam, "/link", "link.choose")
    invitation = await answer(sam, "link.invite", "link.invitation")
    await say(alex, f"/start {LINK.search(invitation['text']).group(2)}", "link.offer")
    await answer(alex, "link.accept", "link.linked")
    told = await expect(sam, "link.invitee_accepted")
    await say(sam, "/commit", "commit.wording")
    shown = [
        m["text"] or "" for m in await sam.bot_messages() if m["message_id"] > told["message_id"]
    ]
    for key in ("common.put_aside_kept", "common.put_aside_fresh", "common.put_aside_other"):
        assert not any(words(key) in text for text in shown), key
