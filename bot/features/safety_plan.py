"""The database side of the personal safety plan: one private reflection per user,
kept sealed like every other answer, and never offered to the partner."""

from __future__ import annotations

from bot.turn.effects import EffectContext, EffectResult, effect
from flows.safety_plan import PARTS

SAFETY_PLAN = "safety_plan"


@effect("load_safety_plan")
async def load_safety_plan(ctx: EffectContext) -> EffectResult:
    plan = await ctx.repos.reflections.latest(ctx.user.id, SAFETY_PLAN)
    if plan is None:
        return EffectResult("none")
    return EffectResult("found", {f"_{name}": plan.answers.get(name) for name in _names()})


@effect("save_safety_plan")
async def save_safety_plan(ctx: EffectContext) -> EffectResult:
    answers = {name: ctx.data.get(f"_{name}") for name in _names()}
    plan = await ctx.repos.reflections.latest(ctx.user.id, SAFETY_PLAN)
    if plan is None:
        await ctx.repos.reflections.add(ctx.user.id, SAFETY_PLAN, answers, ctx.now)
    else:
        await ctx.repos.reflections.replace_answers(plan.id, answers, ctx.now)
    return EffectResult("ok")


def _names() -> tuple[str, ...]:
    return tuple(part[1:] for part in PARTS)
