"""The database side of the weekly check-in and of /progress.

A person's ratings are theirs: the chart shows only their own, and a partner
hears of them only as a one-line average the person chose to share.
"""

from __future__ import annotations

import asyncio
import base64
from collections import defaultdict
from datetime import date, timedelta
from statistics import mean

from bot.db import commitments as C
from bot.features.steps import step_standing
from bot.nudges.rhythm import zone_of
from bot.turn.effects import EffectContext, EffectResult, Notice, effect
from content import catalog
from flows.engine import Say
from flows.progress import FEELINGS, RATINGS, SIGNS
from flows.safety_check import private_mode

CHART_WEEKS = 52
TREND_WINDOW = 3  # weeks compared with the ones before
TREND_STEP = 0.3  # a change of average smaller than this reads as steady
PARTLY_COUNTS = 0.5


def _monday(ctx: EffectContext) -> date:
    today = ctx.now.astimezone(zone_of(ctx.user.time_zone)).date()
    return today - timedelta(days=today.weekday())


def _average(ratings: dict[str, int]) -> float:
    return round(mean(ratings[name] for name in SIGNS if name in ratings), 1)


@effect("save_weekly")
async def save_weekly(ctx: EffectContext) -> EffectResult:
    ratings = {name: int(ctx.data[f"_rate_{name}"]) for name in RATINGS}
    monday = _monday(ctx)
    await ctx.repos.commitments.save_week(ctx.user.id, monday, ratings, ctx.now)
    linked = await ctx.repos.couples.active_for(ctx.user.id)
    may_share = linked is not None and not private_mode(ctx.user.profile)
    data = {"_average": f"{_average(ratings):.1f}", "_week": monday.isoformat()}
    return EffectResult("linked" if may_share else "saved", data)


@effect("share_weekly")
async def share_weekly(ctx: EffectContext) -> EffectResult:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    week = date.fromisoformat(ctx.data["_week"])
    if couple is None or private_mode(ctx.user.profile):
        return EffectResult("ok")
    await ctx.repos.commitments.share_week(ctx.user.id, week, ctx.now)
    say = Say(("weekly.partner_summary",), {"who": ctx.my_name(), "average": ctx.data["_average"]})
    return EffectResult("ok", {}, (Notice(couple.partner_of(ctx.user.id), say),))


@effect("draw_progress")
async def draw_progress(ctx: EffectContext) -> EffectResult:
    from bot.features.chart import (
        render_progress,  # matplotlib loads only when a picture is asked for
    )

    this_week = _monday(ctx)
    since = this_week - timedelta(weeks=CHART_WEEKS - 1)
    weeks = {w.week_start: w.ratings for w in await ctx.repos.commitments.weeks(ctx.user.id, since)}
    history = await ctx.repos.commitments.history(ctx.user.id, since)
    kept, planned = _kept_per_week(history)
    points = _points(weeks, kept, planned, this_week)
    png = await asyncio.to_thread(render_progress, points, _chart_words(ctx.user.locale))
    return EffectResult(
        "ok",
        {
            "_chart": base64.b64encode(png).decode("ascii"),
            "_trend": _trend([p.score for p in points if p.score is not None]),
            "_kept": _days(history, C.KEPT),
            "_partly": _days(history, C.PARTLY),
            "_weeks": len(weeks),
            "_steps": await step_standing(ctx),
        },
    )


def _kept_per_week(history: list[C.CheckInRecord]) -> tuple[dict[date, float], dict[date, int]]:
    kept: dict[date, float] = defaultdict(float)
    planned: dict[date, int] = defaultdict(int)
    for checkin in history:
        monday = checkin.day - timedelta(days=checkin.day.weekday())
        planned[monday] += 1
        kept[monday] += {C.KEPT: 1.0, C.PARTLY: PARTLY_COUNTS}.get(checkin.result or "", 0.0)
    return kept, planned


def _points(
    weeks: dict[date, dict[str, int]],
    kept: dict[date, float],
    planned: dict[date, int],
    this_week: date,
) -> list:
    from bot.features.chart import WeekPoint

    known = [*weeks, *planned]
    if not known:
        return []
    first = min(known)
    points = []
    monday = first
    while monday <= this_week:
        ratings = weeks.get(monday)
        points.append(
            WeekPoint(
                week_start=monday,
                score=_average(ratings) if ratings else None,
                safety=ratings.get(FEELINGS[0]) if ratings else None,
                hope=ratings.get(FEELINGS[1]) if ratings else None,
                kept=kept.get(monday, 0.0),
                planned=planned.get(monday, 0),
            )
        )
        monday += timedelta(weeks=1)
    return points


def _trend(scores: list[float]) -> str:
    if len(scores) < 2 * TREND_WINDOW - 2:
        return "early"
    recent = mean(scores[-TREND_WINDOW:])
    before = mean(scores[-2 * TREND_WINDOW : -TREND_WINDOW] or scores[:1])
    if recent - before >= TREND_STEP:
        return "up"
    if before - recent >= TREND_STEP:
        return "down"
    return "steady"


def _days(history: list[C.CheckInRecord], result: str) -> int:
    """Days of check-ins with this result: counted whole, so no "0.5 days kept"."""
    return sum(1 for checkin in history if checkin.result == result)


def _chart_words(locale: str):
    from bot.features.chart import ChartWords

    words = catalog(locale)
    return ChartWords(
        title=words.plain("progress.chart_title"),
        week_axis=words.plain("progress.chart_week"),
        score_axis=words.plain("progress.chart_score"),
        kept_axis=words.plain("progress.chart_kept"),
        score_legend=words.plain("progress.legend_score"),
        safety_legend=words.plain("progress.legend_safety"),
        hope_legend=words.plain("progress.legend_hope"),
        kept_legend=words.plain("progress.legend_kept"),
        empty=words.plain("progress.chart_empty"),
        locale=words.locale,
    )
