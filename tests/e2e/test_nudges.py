"""Nudges end to end with an injected clock: commitments and their check-ins, what a
partner may see of them, Snooze and "fewer of these", /reminders, the weekly check-in,
the progress picture, a reminder about a waiting proposal, and 403/429 from Telegram."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from flows.engine import item_data
from flows.progress import RATINGS
from playground.client import SimUser
from tests.e2e.harness import (
    answer,
    expect,
    label,
    onboard,
    running,
    say,
    settled,
    wait_until_inactive,
    words,
)
from tests.e2e.journeys import linked_pair, propose

# onboard() chooses Berlin and 20:00; the clock starts on Monday 5 January 2026 (CET).
EVENING = datetime(2026, 1, 5, 19, 0, 3, tzinfo=UTC)


async def commit(user: SimUser, wording: str, visible: bool | None = None) -> None:
    await say(user, "/commit", "commit.wording")
    await say(user, wording, "commit.days")
    review = await answer(user, "commit.days_every", "commit.review")
    assert wording in review["text"]
    if visible is None:
        await answer(user, "commit.save", "commit.saved")
        return
    await answer(user, "commit.save", "commit.visibility")
    choice = "commit.visibility_yes" if visible else "commit.visibility_no"
    await answer(user, choice, "commit.saved")


async def at(bot: Runtime, clock, moment: datetime) -> None:
    """Travel to a moment and let the scheduler see it (its own job ticks too)."""
    clock.set(moment)
    await bot.scheduler.tick()


async def messages_with(user: SimUser, key_or_text: str) -> list[dict]:
    needle = words(key_or_text) if "." in key_or_text and " " not in key_or_text else (key_or_text)
    return [m for m in await user.bot_messages() if needle in (m.get("text") or "")]


async def message_with_button(user: SimUser, text: str, button_key: str) -> dict:
    for message in reversed(await user.bot_messages()):
        if text in (message.get("text") or "") and label(button_key) in SimUser.buttons(message):
            return message
    raise AssertionError(f"no message with {text!r} and {button_key}")


def data_of(message: dict, button_label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(b["callback_data"] for row in rows for b in row if b["text"] == button_label)


async def test_a_commitment_is_checked_in_on_at_the_reminder_time(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam = await emu.create_user("Sam")
        await onboard(sam)
        await commit(sam, "I text when I'm running late")
        await at(bot, clock, EVENING)
        ask = await expect(sam, "nudges.checkin")
        assert "I text when I'm running late" in ask["text"]
        await expect(sam, "nudges.empathy")
        await sam.press(label("nudges.checkin_kept"), message_id=ask["message_id"])
        await expect(sam, "checkin.kept")
        await say(sam, "Remembered on the bus", "checkin.thanks")
        overview = await say(sam, "/commitments", "commitments.overview")
        assert "I text when I'm running late" in overview["text"] and "✓" in overview["text"]
        # The next evening asks again, and only once, however often the scheduler ticks.
        await at(bot, clock, EVENING + timedelta(days=1))
        await at(bot, clock, EVENING + timedelta(days=1, seconds=30))
        await expect(sam, "nudges.checkin", after=ask["message_id"])
        await settled(bot, emu)
        assert len(await messages_with(sam, "nudges.checkin")) == 2


async def test_a_partner_sees_only_kept_days_of_commitments_shown_by_choice(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        await commit(sam, "I put my phone away at dinner", visible=True)
        await commit(sam, "I write in my journal at night", visible=False)
        await at(bot, clock, EVENING)
        await expect(sam, "nudges.checkin")
        await settled(bot, emu)
        dinner = await message_with_button(sam, "phone away", "nudges.checkin_kept")
        journal = await message_with_button(sam, "journal", "nudges.checkin_kept")
        await sam.press(label("nudges.checkin_kept"), message_id=dinner["message_id"])
        await expect(sam, "checkin.kept")
        await say(sam, "It was hard but worth it", "checkin.thanks")
        await sam.press(label("nudges.checkin_kept"), message_id=journal["message_id"])
        await say(sam, "Private thoughts tonight", "checkin.thanks")

        line = await expect(alex, "checkin.partner_kept")
        assert "phone away at dinner" in line["text"]
        await alex.press(label("checkin.button_noticed"), message_id=line["message_id"])
        await expect(alex, "checkin.noticed_sent")
        noticed = await expect(sam, "checkin.noticed")
        assert "phone away" in noticed["text"]
        await alex.press(label("checkin.button_noticed"), message_id=line["message_id"])
        await expect(alex, "checkin.noticed_already")
        # Sam cannot "notice" his own day, even with forged data.
        data = data_of(line, label("checkin.button_noticed"))
        await sam.press(callback_data=data, forge=True)
        await expect(sam, "commit.refused")

        seen_by_alex = " ".join(m.get("text") or "" for m in await alex.bot_messages())
        for private in ("journal", "It was hard", "Private thoughts"):
            assert private not in seen_by_alex


async def test_snooze_tomorrow_and_fewer_of_these(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam = await emu.create_user("Sam")
        await onboard(sam)
        await at(bot, clock, EVENING)
        prompt = await expect(sam, "nudges.empathy")
        await sam.press(label("nudges.snooze_hour"), message_id=prompt["message_id"])
        await expect(sam, "reminders.snoozed_hour")
        await at(bot, clock, EVENING + timedelta(minutes=30))
        await settled(bot, emu)
        assert len(await messages_with(sam, "nudges.empathy")) == 1
        await at(bot, clock, EVENING + timedelta(hours=1, seconds=5))
        again = await expect(sam, "nudges.empathy", after=prompt["message_id"])
        assert again["text"] == prompt["text"]

        await sam.press(label("nudges.snooze_day"), message_id=again["message_id"])
        await expect(sam, "reminders.snoozed_day")
        await sam.press(label("nudges.fewer"), message_id=again["message_id"])
        fewer = await expect(sam, "reminders.fewer")
        assert "every 2 days" in fewer["text"]
        # Tomorrow: the snoozed prompt comes back, but no new daily one (every other day now).
        await at(bot, clock, EVENING + timedelta(days=1, seconds=5))
        tomorrow = await expect(sam, "nudges.empathy", after=again["message_id"])
        assert tomorrow["text"] == prompt["text"]
        await settled(bot, emu)
        assert len(await messages_with(sam, "nudges.empathy")) == 3
        await at(bot, clock, EVENING + timedelta(days=2, seconds=5))
        fresh = await expect(sam, "nudges.empathy", after=tomorrow["message_id"])
        assert fresh["text"] != prompt["text"]


async def test_reminders_pause_quiet_hours_and_switches(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam = await emu.create_user("Sam")
        await onboard(sam)
        await commit(sam, "I say goodnight kindly")
        await say(sam, "/reminders", "reminders.menu")
        await answer(sam, "reminders.change_quiet", "reminders.quiet")
        await say(sam, "nonsense", "reminders.quiet_bad")
        menu = await say(sam, "19:30-21:00", "reminders.menu")
        assert "19:30–21:00" in menu["text"]
        await answer(sam, "reminders.change_kinds", "reminders.kinds")
        for kind in ("checkin", "weekly", "waiting"):  # everything but the listening prompt
            await sam.press(label(f"reminders.kind_{kind}"))
            await asyncio.sleep(0.2)
        await answer(sam, "reminders.kinds_done", "reminders.menu")
        await answer(sam, "reminders.pause", "reminders.pause_prompt")
        await answer(sam, "reminders.pause_3", "reminders.paused")

        for day in range(3):  # paused: nothing at 20:00 nor at the end of the quiet hours
            await at(bot, clock, EVENING + timedelta(days=day))
            await at(bot, clock, EVENING + timedelta(days=day, hours=1))
        await settled(bot, emu)
        assert not await messages_with(sam, "nudges.checkin")
        await at(bot, clock, EVENING + timedelta(days=3))  # 20:00, inside the quiet hours
        await settled(bot, emu)
        assert not await messages_with(sam, "nudges.checkin")
        await at(bot, clock, EVENING + timedelta(days=3, hours=1))  # 21:00 Berlin
        await expect(sam, "nudges.checkin")
        await settled(bot, emu)
        assert not await messages_with(sam, "nudges.empathy"), "switched off"


async def test_the_weekly_check_in_the_shared_summary_and_the_picture(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        sunday = EVENING + timedelta(days=6)
        await at(bot, clock, sunday)
        nudge = await expect(sam, "nudges.weekly")
        await sam.press(label("nudges.weekly_start"))
        await expect(sam, "weekly.intro", after=nudge["message_id"])
        await answer(sam, "weekly.start", "weekly.engaged")
        # Each rating waits for the next question, so no press lands on one already answered.
        following = [f"weekly.{name}" for name in RATINGS[1:]]
        for rating, then in zip(("4", "3", "4", "5", "3", "2", "4"), following, strict=True):
            await answer(sam, f"weekly.scale_{rating}", then)
        share = await answer(sam, "weekly.scale_4", "weekly.share_question")
        assert "3.5" in share["text"]  # the average of the six signs
        await answer(sam, "weekly.share_yes", "weekly.shared")
        summary = await expect(alex, "weekly.partner_summary")
        assert "3.5" in summary["text"]

        await sam.send("/progress")
        picture = await sam.wait_for_text(words("progress.caption"), timeout=20)
        assert picture["kind"] == "photo"
        assert "1 week with a check-in" in picture["text"]
        await alex.send("/progress")
        theirs = await alex.wait_for_text(words("progress.caption"), timeout=20)
        assert "0 weeks with a check-in" in theirs["text"], "a partner's ratings are never shown"


async def test_a_waiting_proposal_is_recalled_once(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        await propose(sam, "We speak kindly when tired")
        await expect(alex, "ledger.notify")
        await at(bot, clock, clock.now() + timedelta(hours=23))
        await settled(bot, emu)
        assert not await messages_with(alex, "nudges.waiting")
        await at(bot, clock, clock.now() + timedelta(hours=1, seconds=5))
        recall = await expect(alex, "nudges.waiting")
        assert "We speak kindly when tired" in recall["text"]
        await at(bot, clock, clock.now() + timedelta(days=2))
        await settled(bot, emu)
        assert len(await messages_with(alex, "nudges.waiting")) == 1
        await alex.press(label("ledger.accept"), message_id=recall["message_id"])
        await expect(alex, "ledger.accepted")


async def test_a_nudge_meeting_a_block_marks_the_user_inactive_until_they_return(
    settings, emu, clock
):
    async with running(settings, clock):
        sam = await emu.create_user("Sam")
        await onboard(sam)
    await sam.block()  # while the bot is down: it learns of it from the 403 first
    runtime = Runtime(settings, clock)
    await runtime.start()
    try:
        clock.set(EVENING)
        await runtime.scheduler.tick()
        assert await wait_until_inactive(runtime, sam.id)
        clock.set(EVENING + timedelta(days=1))
        assert (await runtime.scheduler.tick()).queued == 0
    finally:
        await runtime.stop()
    await sam.unblock()
    async with running(settings, clock) as bot:
        await say(sam, "/menu", "menu.text")
        await at(bot, clock, EVENING + timedelta(days=2))
        await expect(sam, "nudges.empathy")


async def test_flood_control_delays_nudges_but_delivers_each_once(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam = await emu.create_user("Sam")
        await onboard(sam)
        for n in range(3):
            await commit(sam, f"Small promise number {n}")
        await emu.set_rate_limits(True, per_chat_burst=1, global_per_second=30)
        await at(bot, clock, EVENING)  # four messages for one chat at once
        await expect(sam, "nudges.empathy", timeout=20)
        for _ in range(200):  # the retry waits on the bot's clock, which moves when told
            if len(await messages_with(sam, "nudges.checkin")) >= 3:
                break
            clock.advance(seconds=1)
            await asyncio.sleep(0.1)
        checkins = await messages_with(sam, "nudges.checkin")
        assert sorted(m["text"][-23:] for m in checkins) == [
            f"Small promise number {n}”" for n in range(3)
        ]
        assert any(call["status"] == 429 for call in await emu.log()), "flood control kicked in"


async def test_check_in_buttons_refuse_anyone_but_their_owner(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex = await linked_pair(bot, emu)
        await commit(sam, "I call if I'm late", visible=False)
        await at(bot, clock, EVENING)
        ask = await expect(sam, "nudges.checkin")
        data = data_of(ask, label("nudges.checkin_kept"))
        await alex.press(callback_data=data, forge=True)
        await expect(alex, "commit.refused")
        await alex.press(callback_data=item_data("z", 999_999, "hour"), forge=True)
        await expect(alex, "reminders.snooze_refused")
        await alex.press(callback_data=item_data("m", 1, "open"), forge=True)
        await expect(alex, "commit.refused")
        overview = await say(sam, "/commitments", "commitments.overview")
        assert "✓" not in overview["text"].split("✓ kept")[0]


async def open_item(user: SimUser, button: str) -> dict:
    last = (await user.last_bot_message())["message_id"]
    await user.press(button)
    return await expect(user, "commitments.detail", after=last)


async def test_a_commitment_can_be_reworded_moved_paused_and_ended(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam = await emu.create_user("Sam")
        await onboard(sam)
        await commit(sam, "I reply within the hour")
        await say(sam, "/commitments", "commitments.overview")
        await open_item(sam, "✎ I reply within the hour")
        await answer(sam, "commitments.reword", "commitments.reword_prompt")
        await say(sam, "I reply within two hours", "commitments.changed")

        await say(sam, "/commitments", "commitments.overview")
        await open_item(sam, "✎ I reply within two hours")
        await answer(sam, "commitments.change_days", "commit.days")
        await answer(sam, "commit.days_choose", "commit.pick_days")
        await sam.press(label("days.1"))  # Tuesday only
        await asyncio.sleep(0.2)
        await answer(sam, "commit.days_done", "commitments.changed")
        await at(bot, clock, EVENING)  # a Monday: not one of its days
        await expect(sam, "nudges.empathy")
        await at(bot, clock, EVENING + timedelta(days=1))
        ask = await expect(sam, "nudges.checkin")
        assert "within two hours" in ask["text"]

        await say(sam, "/commitments", "commitments.overview")
        await open_item(sam, "✎ I reply within two hours")
        await answer(sam, "commitments.pause", "commitments.changed")
        await at(bot, clock, EVENING + timedelta(days=8))  # the next Tuesday, paused
        await settled(bot, emu)
        assert len(await messages_with(sam, "nudges.checkin")) == 1
        overview = await say(sam, "/commitments", "commitments.overview")
        assert label("commitments.paused_mark").strip() in overview["text"]
        await open_item(sam, "✎ I reply within two hours")
        await answer(sam, "commitments.end", "commitments.end_confirm")
        await answer(sam, "commitments.end_yes", "commitments.ended")
        overview = await say(sam, "/commitments", "commitments.overview")
        assert "within two hours" not in overview["text"]
        # The old check-in's buttons now find nothing to record.
        await sam.press(label("nudges.checkin_kept"), message_id=ask["message_id"])
        await expect(sam, "checkin.gone")
