"""The database side of /reminders and of each nudge's Snooze and "Fewer of these" buttons."""

from __future__ import annotations

from datetime import timedelta

from bot.db.nudges import NudgeRecord
from bot.nudges.kinds import KINDS, SPACINGS, next_one_off, next_standing, reschedule, rhythm_for
from bot.turn.effects import EffectContext, EffectResult, effect
from content.dates import format_date

SNOOZE_HOUR = timedelta(hours=1)


@effect("pause_reminders")
async def pause_reminders(ctx: EffectContext) -> EffectResult:
    until = ctx.now + timedelta(days=int(ctx.data.get("_pause_days") or 1))
    ctx.user.profile = {**ctx.user.profile, "paused_until": until.isoformat()}
    await reschedule(ctx.repos, ctx.user, ctx.now)
    return EffectResult(
        "ok",
        {"_until": format_date(until, ctx.user.locale, ctx.user.time_zone, "weekday_date_time")},
    )


@effect("resume_reminders")
async def resume_reminders(ctx: EffectContext) -> EffectResult:
    if not ctx.user.profile.get("paused_until"):
        return EffectResult("not_paused")
    ctx.user.profile = {k: v for k, v in ctx.user.profile.items() if k != "paused_until"}
    await reschedule(ctx.repos, ctx.user, ctx.now)
    return EffectResult("ok")


@effect("reset_spacing")
async def reset_spacing(ctx: EffectContext) -> EffectResult:
    for nudge in await ctx.repos.nudges.for_user(ctx.user.id):
        if nudge.standing and nudge.every_days != 1:
            nudge.every_days = 1
            next_standing(ctx.user, nudge, ctx.now)
            await ctx.repos.nudges.advance(nudge)
    return EffectResult("ok")


@effect("snooze_nudge")
async def snooze_nudge(ctx: EffectContext) -> EffectResult:
    sent_id = int(ctx.data.get("_item") or 0)
    sent = await ctx.repos.nudges.sent(sent_id)
    action = ctx.data.get("_action")
    if sent is None or sent[0] != ctx.user.id or action not in ("hour", "day", "fewer"):
        return EffectResult("refused")
    _, kind, occurrence = sent
    if action == "fewer":
        return await _fewer(ctx, kind)
    rhythm = rhythm_for(ctx.user, kind)
    if rhythm is None:
        return EffectResult("refused")
    wanted = (
        ctx.now + SNOOZE_HOUR
        if action == "hour"
        else rhythm.moment(rhythm.local_day(ctx.now) + timedelta(days=1))
    )
    # Snoozing a message that was itself snoozed brings back the original once more.
    original = occurrence.split("~")[0]
    nudge = NudgeRecord(0, ctx.user.id, kind, f"z{sent_id}", None)
    next_one_off(ctx.user, nudge, wanted)
    await ctx.repos.nudges.put(
        ctx.user.id, kind, nudge.due_at, ref=nudge.ref, state={"occurrence": original}
    )
    return EffectResult(action)


async def _fewer(ctx: EffectContext, kind: str) -> EffectResult:
    nudge = await ctx.repos.nudges.get(ctx.user.id, kind)
    wider = [days for days in SPACINGS[kind] if nudge is None or days > nudge.every_days]
    if nudge is None or not wider:
        switched_on = ctx.user.profile.get("nudges_on") or list(KINDS)
        ctx.user.profile = {**ctx.user.profile, "nudges_on": [k for k in switched_on if k != kind]}
        await reschedule(ctx.repos, ctx.user, ctx.now)
        return EffectResult("off", {"_kind": kind})
    nudge.every_days = wider[0]
    next_standing(ctx.user, nudge, ctx.now)
    await ctx.repos.nudges.advance(nudge)
    return EffectResult("fewer", {"_kind": kind, "_every": wider[0]})
