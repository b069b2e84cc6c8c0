"""The database side of commitments: the effects their flows ask for.

Who may do what is decided from the rows, never from the button: a check-in
is answered only by its owner; "I noticed" only by the owner's linked
partner, only for a day kept of a commitment its owner chose to show.

What the partner was shown stays true: a kept day changed afterwards (to
partly, or not today) is taken back with a plain line to the partner, and an
"I noticed" pressed on a line that no longer holds says plainly why nothing
was passed on.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from bot.db import commitments as C
from bot.nudges.kinds import CHECKIN, rhythm_for
from bot.nudges.rhythm import zone_of
from bot.telegram.render import Renderer, renderer_for
from bot.turn.effects import EffectContext, EffectResult, Notice, effect, shorten
from content import Markup
from flows.commitments import RESULTS, chosen_days, days_label
from flows.engine import Button, Say, item_data

HISTORY_WEEKS = 4
MARKS = {C.KEPT: "✓", C.PARTLY: "◐", C.MISSED: "✗"}
UNANSWERED, OFF_DAY, NOT_YET, BEFORE = "○", "–", "·", " "


def _today(ctx: EffectContext) -> date:
    return ctx.now.astimezone(zone_of(ctx.user.time_zone)).date()


async def _own(ctx: EffectContext, key: str = "_commitment") -> C.CommitmentRecord | None:
    """The commitment named in the session, if it is this user's and not ended."""
    found = await ctx.repos.commitments.get(int(ctx.data.get(key) or 0))
    if found is None or found.user_id != ctx.user.id or found.status == C.ENDED:
        return None
    return found


@effect("save_commitment")
async def save_commitment(ctx: EffectContext) -> EffectResult:
    commitment_id = await ctx.repos.commitments.add(
        ctx.user.id, ctx.data["_text"], chosen_days(ctx.data), ctx.now
    )
    asks = rhythm_for(ctx.user, CHECKIN) is not None
    data = {"_commitment": commitment_id, "_reminder": ctx.user.reminder_time if asks else None}
    linked = await ctx.repos.couples.active_for(ctx.user.id)
    return EffectResult("linked" if linked and ctx.may_tell_partner() else "saved", data)


@effect("commitment_visibility")
async def commitment_visibility(ctx: EffectContext) -> EffectResult:
    commitment = await _own(ctx)
    if commitment is None:
        return EffectResult("refused")
    await ctx.repos.commitments.change(
        commitment.id, visible_to_partner=ctx.data.get("_visible") == "yes"
    )
    return EffectResult("ok")


# ---------------------------------------------------------------- listing


@effect("list_commitments")
async def list_commitments(ctx: EffectContext) -> EffectResult:
    today = _today(ctx)
    first_week = today - timedelta(days=today.weekday() + 7 * (HISTORY_WEEKS - 1))
    commitments = await ctx.repos.commitments.of_user(ctx.user.id)
    answers = {
        (c.commitment_id, c.day): c.result
        for c in await ctx.repos.commitments.history(ctx.user.id, first_week)
    }
    renderer = renderer_for(ctx.user)
    not_yet = today if _before_checkin_time(ctx) else None
    items, buttons = [], []
    for commitment in commitments:
        began = _local_day(ctx, commitment.created_at)
        mondays = [first_week + timedelta(weeks=n) for n in range(HISTORY_WEEKS)]
        header = renderer.text(("commitments.history_header",), {})
        weeks = [header] + [
            _week_line(
                renderer, commitment, answers, monday, today, began, not_yet, _label_width(header)
            )
            for monday in mondays
            if monday + timedelta(days=6) >= began
        ]
        label = days_label(commitment.days)
        items.append(
            {
                "text": commitment.text,
                "days": renderer.text((label.key,), label.params),
                "status": ""
                if commitment.status == C.ACTIVE
                else renderer.text(("commitments.paused_mark",), {}),
                "history": Markup("\n".join(weeks)),  # already HTML: its lines are monospaced
            }
        )
        buttons.append(
            {"text": "✎ " + shorten(commitment.text), "data": item_data("m", commitment.id, "open")}
        )
    return EffectResult("ok", {"_items": items, "_buttons": buttons})


def _local_day(ctx: EffectContext, moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone_of(ctx.user.time_zone)).date()


def _before_checkin_time(ctx: EffectContext) -> bool:
    """Whether today's check-in has yet to be asked: until then today is "not yet", not
    "no answer"."""
    at = ctx.user.reminder_time
    local = ctx.now.astimezone(zone_of(ctx.user.time_zone)).strftime("%H:%M")
    return not at or ":" not in at or local < at


def _label_width(header: str) -> int:
    """How wide the grid's first column is: its header's label, up to the two spaces
    before the weekdays ("week of  M T W…"), so each week's date pads to it and the marks
    stand under their days in any language."""
    plain = re.sub(r"<[^>]+>", "", header)
    return plain.index("  ") if "  " in plain else len(plain)


def _week_line(
    renderer: Renderer,
    commitment: C.CommitmentRecord,
    answers: dict[tuple[int, date], str | None],
    monday: date,
    today: date,
    began: date,
    not_yet: date | None,
    width: int,
) -> str:
    marks = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        answered = answers.get((commitment.id, day))
        if day > today or day < began:
            marks.append(BEFORE)
        elif str(day.weekday()) not in commitment.days:
            marks.append(OFF_DAY)
        elif answered is None and day == not_yet:
            marks.append(NOT_YET)
        else:
            marks.append(MARKS.get(answered or "", UNANSWERED))
    return renderer.text(
        ("commitments.history_week",),
        {
            "date": renderer.date(monday.isoformat(), "day_month").ljust(width),
            "marks": " ".join(marks),
        },
    )


# ---------------------------------------------------------------- one commitment


@effect("open_commitment")
async def open_commitment(ctx: EffectContext) -> EffectResult:
    commitment = await _own(ctx, "_item")
    if commitment is None:
        return EffectResult("refused")
    data = {
        "_commitment": commitment.id,
        "_text": commitment.text,
        "_days": commitment.days,
        "_visible_now": commitment.visible_to_partner,
    }
    return EffectResult("active" if commitment.status == C.ACTIVE else "paused", data)


async def _change(ctx: EffectContext, **values) -> EffectResult:
    commitment = await _own(ctx)
    if commitment is None:
        return EffectResult("refused")
    await ctx.repos.commitments.change(commitment.id, **values)
    return EffectResult("ok")


@effect("reword_commitment")
async def reword_commitment(ctx: EffectContext) -> EffectResult:
    return await _change(ctx, text=ctx.data["_text"])


@effect("commitment_days")
async def commitment_days(ctx: EffectContext) -> EffectResult:
    return await _change(ctx, days=chosen_days(ctx.data))


@effect("pause_commitment")
async def pause_commitment(ctx: EffectContext) -> EffectResult:
    return await _change(ctx, status=C.PAUSED)


@effect("resume_commitment")
async def resume_commitment(ctx: EffectContext) -> EffectResult:
    return await _change(ctx, status=C.ACTIVE)


@effect("end_commitment")
async def end_commitment(ctx: EffectContext) -> EffectResult:
    return await _change(ctx, status=C.ENDED, ended_at=ctx.now)


# ---------------------------------------------------------------- check-ins


@effect("record_checkin")
async def record_checkin(ctx: EffectContext) -> EffectResult:
    repo = ctx.repos.commitments
    checkin = await repo.checkin(int(ctx.data.get("_item") or 0))
    result = ctx.data.get("_action")
    if checkin is None or checkin.user_id != ctx.user.id or result not in RESULTS:
        return EffectResult("refused")
    commitment = await repo.get(checkin.commitment_id)
    if commitment is None or commitment.status == C.ENDED:
        return EffectResult("gone")
    await repo.answer(checkin.id, result, ctx.now)
    data = {"_checkin": checkin.id}
    partner = await _partner_watching(ctx, commitment)
    if partner is None or (result == C.KEPT) == (checkin.result == C.KEPT):
        return EffectResult(result, data)
    if result == C.KEPT:
        button = Button("checkin.button_noticed", item_data("n", checkin.id, "noticed"))
        say = Say(
            ("checkin.partner_kept",), {"who": ctx.my_name(), "text": commitment.text}, ((button,),)
        )
        return EffectResult(result, data, (Notice(partner, say),))
    # The partner read that this day was kept: that line is taken back, plainly.
    say = Say(("checkin.partner_changed",), {"who": ctx.my_name(), "text": commitment.text})
    return EffectResult(
        f"{result}_told", {**data, "_partner": await ctx.name_of(partner)}, (Notice(partner, say),)
    )


async def _partner_watching(ctx: EffectContext, commitment: C.CommitmentRecord) -> int | None:
    """The partner who sees this commitment's kept days, if any: the one path from a
    check-in to them is a commitment shown by choice, while linked and safe to."""
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if not commitment.visible_to_partner or couple is None or not ctx.may_tell_partner():
        return None
    return couple.partner_of(ctx.user.id)


@effect("save_checkin_note")
async def save_checkin_note(ctx: EffectContext) -> EffectResult:
    checkin = await ctx.repos.commitments.checkin(int(ctx.data.get("_checkin") or 0))
    if checkin is None or checkin.user_id != ctx.user.id:
        return EffectResult("refused")
    await ctx.repos.commitments.add_note(checkin.id, ctx.data["_note"])
    return EffectResult("ok")


@effect("notice_checkin")
async def notice_checkin(ctx: EffectContext) -> EffectResult:
    repo = ctx.repos.commitments
    checkin = await repo.checkin(int(ctx.data.get("_item") or 0))
    commitment = None if checkin is None else await repo.get(checkin.commitment_id)
    if checkin is None or commitment is None or checkin.user_id == ctx.user.id:
        return EffectResult("refused")
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None or checkin.user_id != couple.partner_of(ctx.user.id):
        return EffectResult("unlinked")  # a line from before the link changed (or forged)
    data = {"_partner": await ctx.name_of(checkin.user_id)}
    if not commitment.visible_to_partner:
        return EffectResult("hidden", data)
    if checkin.result != C.KEPT:
        return EffectResult("changed", data)
    if not await repo.notice(checkin.id, ctx.now):
        return EffectResult("already")
    say = Say(("checkin.noticed",), {"who": ctx.my_name(), "text": commitment.text})
    return EffectResult("ok", {}, (Notice(checkin.user_id, say),))
