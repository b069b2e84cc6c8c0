"""Where each repair step stands for one user, read from what they did (never from a flag).

Step 1 and the practices leave reflections; step 2 leaves listening exercises
(or a solo practice); step 3's standing is the vision flow's own reading.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db import listening as R
from bot.features.listening import SOLO
from bot.features.vision import vision_status
from bot.turn.effects import EffectContext, EffectResult, effect
from content.dates import format_date

STEP_ONE = ("step1_broke", "step1_hurt")
PRACTICES = ("triggered", "underneath", "acknowledge")
Line = tuple[str, dict[str, Any]]


def _date(ctx: EffectContext, moment: datetime) -> str:
    return format_date(moment, ctx.user.locale, ctx.user.time_zone)


async def _step_one(ctx: EffectContext) -> Line:
    done = await ctx.repos.reflections.of_user(ctx.user.id, STEP_ONE)
    if not done:
        return "steps.not_yet", {}
    last = done[-1]
    shared = [row for row in done if row.shared_at]
    if shared:
        return "steps.s1_shared", {"date": _date(ctx, last.created_at)}
    return "steps.s1_done", {"date": _date(ctx, last.created_at)}


async def _step_two(ctx: EffectContext) -> Line:
    exercises = await ctx.repos.listening.of_user(ctx.user.id)
    open_one = next((e for e in reversed(exercises) if e.status in R.OPEN_STATUSES), None)
    if open_one is not None:
        return _open_line(open_one, ctx.user.id), {}
    heard = [e for e in exercises if e.status == R.HEARD]
    if heard:
        return "steps.s2_heard", {"count": len(heard), "date": _date(ctx, heard[-1].updated_at)}
    solo = await ctx.repos.reflections.latest(ctx.user.id, SOLO)
    if solo is not None:
        return "steps.s2_solo", {"date": _date(ctx, solo.created_at)}
    return "steps.not_yet", {}


def _open_line(exercise: R.ExerciseRecord, user_id: int) -> str:
    if exercise.status == R.PAUSED:
        return "steps.s2_paused"
    yours = (exercise.status == R.LISTENING) == (user_id == exercise.listener_id)
    return "steps.s2_yours" if yours else "steps.s2_theirs"


async def _step_three(ctx: EffectContext) -> Line:
    standing = await vision_status(ctx)
    if standing.result == "new":
        return "steps.not_yet", {}
    return f"steps.s3_{standing.result}", {"date": standing.data.get("_date", "")}


async def _practices(ctx: EffectContext) -> Line:
    done = await ctx.repos.reflections.counts(ctx.user.id, PRACTICES)
    if not done:
        return "steps.p_none", {}
    return "steps.p_done", {name: done.get(name, 0) for name in PRACTICES}


async def step_standing(ctx: EffectContext) -> dict[str, Line]:
    return {
        "1": await _step_one(ctx),
        "2": await _step_two(ctx),
        "3": await _step_three(ctx),
        "practices": await _practices(ctx),
    }


@effect("step_status")
async def step_status(ctx: EffectContext) -> EffectResult:
    return EffectResult("ok", {"_steps": await step_standing(ctx)})
