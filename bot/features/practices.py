"""The database side of the daily practices: saving what was written, and the two
ways words travel to a partner (a request for reassurance and its answer, and an
acknowledgement).

Everything goes through ``to_partner`` after a read-back and a confirmed send.
Who may answer a request is decided from the rows, never from the button: only
the requester's active linked partner, only for a request that was sent, and
only once.
"""

from __future__ import annotations

from bot.db.reflections import ReflectionRecord
from bot.features.shares import ANSWERABLE
from bot.turn.effects import EffectContext, EffectResult, effect, share_once
from flows.engine import Button, Say, item_data
from flows.practices import FEELINGS, OTHER, Q_REPLY, other_explanations
from flows.safety_check import private_mode
from flows.shares import answer_buttons

TRIGGERED, UNDERNEATH, ACKNOWLEDGE, REASSURANCE = (
    "triggered",
    "underneath",
    "acknowledge",
    "reassurance",
)


async def _partner_name(ctx: EffectContext) -> str:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    return await ctx.name_of(couple.partner_of(ctx.user.id)) if couple else ""


# ---------------------------------------------------------------- triggered


@effect("save_triggered")
async def save_triggered(ctx: EffectContext) -> EffectResult:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    asked_couple = couple.id if couple is not None and ctx.may_tell_partner() else None
    may_ask = asked_couple is not None
    answers = {
        "when": ctx.data.get("_when"),
        "first_thought": ctx.data.get("_first_thought"),
        "others": other_explanations(ctx.data),
        "plan": ctx.data.get("_plan"),
    }
    reflection = await ctx.repos.reflections.add(
        ctx.user.id, TRIGGERED, answers, ctx.now, couple_id=asked_couple
    )
    data = {"_reflection": reflection, "_partner": await _partner_name(ctx) if may_ask else ""}
    return EffectResult("linked" if may_ask else "private", data)


async def _own_triggered(ctx: EffectContext) -> ReflectionRecord | None:
    found = await ctx.repos.reflections.get(int(ctx.data.get("_reflection") or 0))
    if found is None or found.user_id != ctx.user.id or found.kind != TRIGGERED:
        return None
    return found


async def _keep_request(ctx: EffectContext, reflection: ReflectionRecord) -> None:
    """The request's words are kept with the reflection, sent or not."""
    answers = {**reflection.answers, "request": ctx.data.get("_request", "")}
    await ctx.repos.reflections.replace_answers(reflection.id, answers, ctx.now)


@effect("send_reassurance_request")
async def send_reassurance_request(ctx: EffectContext) -> EffectResult:
    reflection = await _own_triggered(ctx)
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if reflection is None:
        return EffectResult("refused")
    await _keep_request(ctx, reflection)
    if couple is None or reflection.couple_id != couple.id or reflection.shared_at:
        return EffectResult("refused")
    button = Button("practices.reassure_button", item_data("q", reflection.id, Q_REPLY))
    say = Say(
        ("practices.partner_request",),
        {"who": ctx.my_name(), "text": ctx.data.get("_request", "")},
        ((button,),),
    )
    notices = await share_once(ctx, reflection.id, say, "share.what_reassurance_request")
    if not notices:
        return EffectResult("refused")
    return EffectResult("sent", {}, notices)


@effect("keep_reassurance_request")
async def keep_reassurance_request(ctx: EffectContext) -> EffectResult:
    reflection = await _own_triggered(ctx)
    if reflection is not None:
        await _keep_request(ctx, reflection)
    return EffectResult("ok")


# ---------------------------------------------------------------- the partner's answer


async def _answerable(ctx: EffectContext) -> tuple[str, ReflectionRecord | None]:
    """("ok", request) when this user may answer it now; otherwise the reason."""
    request = await ctx.repos.reflections.get(int(ctx.data.get("_item") or 0))
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if (
        ctx.data.get("_action") != Q_REPLY
        or request is None
        or couple is None
        or request.kind != TRIGGERED
        or request.couple_id != couple.id
        or request.user_id != couple.partner_of(ctx.user.id)
        or request.shared_at is None
        or not request.answers.get("request")
    ):
        return "refused", None
    requester = await ctx.repos.users.get(request.user_id)
    if requester is None or private_mode(requester.profile):
        return "refused", None
    if request.answers.get("reassurance"):
        return "already", None
    return "ok", request


@effect("open_reassurance")
async def open_reassurance(ctx: EffectContext) -> EffectResult:
    verdict, request = await _answerable(ctx)
    if request is None:
        return EffectResult(verdict)
    if not ctx.may_tell_partner():
        return EffectResult("safety")
    return EffectResult(
        "ok", {"_request": request.answers["request"], "_who": await ctx.name_of(request.user_id)}
    )


@effect("send_reassurance")
async def send_reassurance(ctx: EffectContext) -> EffectResult:
    verdict, request = await _answerable(ctx)
    if request is None:
        return EffectResult(verdict)
    text = ctx.data.get("_text", "")
    if not ctx.may_tell_partner() or await ctx.repos.couples.active_for(ctx.user.id) is None:
        return EffectResult("refused")
    reflections = ctx.repos.reflections
    await reflections.replace_answers(
        request.id,
        {**request.answers, "reassurance": text, "reassured_at": ctx.now.isoformat()},
        ctx.now,
    )
    own = await reflections.add(
        ctx.user.id,
        REASSURANCE,
        {"request": request.id, "text": text},
        ctx.now,
        couple_id=request.couple_id,
    )
    say = Say(
        ("practices.reassurance_for_requester",),
        {"who": ctx.my_name(), "text": text},
        answer_buttons(own),
    )
    notices = await share_once(ctx, own, say, ANSWERABLE[REASSURANCE])
    if not notices:
        return EffectResult("refused")
    return EffectResult("sent", {}, notices)


# ---------------------------------------------------------------- under the anger


@effect("save_underneath")
async def save_underneath(ctx: EffectContext) -> EffectResult:
    picked = ctx.data.get("_feelings") or []
    answers = {
        "feelings": [value for value in (*FEELINGS, OTHER) if value in picked],
        "other": ctx.data.get("_other_feeling") if OTHER in picked else None,
        "more": ctx.data.get("_more"),
    }
    await ctx.repos.reflections.add(ctx.user.id, UNDERNEATH, answers, ctx.now)
    return EffectResult("ok")


# ---------------------------------------------------------------- notice the follow-through


@effect("acknowledge_check")
async def acknowledge_check(ctx: EffectContext) -> EffectResult:
    if not ctx.may_tell_partner():
        return EffectResult("safety")
    if await ctx.repos.couples.active_for(ctx.user.id) is None:
        return EffectResult("not_linked")
    return EffectResult("ok", {"_partner": await _partner_name(ctx)})


async def _save_acknowledgement(ctx: EffectContext) -> int:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    return await ctx.repos.reflections.add(
        ctx.user.id,
        ACKNOWLEDGE,
        {"text": ctx.data.get("_text", "")},
        ctx.now,
        couple_id=couple.id if couple else None,
    )


@effect("send_acknowledgement")
async def send_acknowledgement(ctx: EffectContext) -> EffectResult:
    reflection = await _save_acknowledgement(ctx)
    say = Say(
        ("practices.ack_for_partner",),
        {"who": ctx.my_name(), "text": ctx.data.get("_text", "")},
        answer_buttons(reflection),
    )
    notices = await share_once(ctx, reflection, say, ANSWERABLE[ACKNOWLEDGE])
    return EffectResult("sent", {}, notices) if notices else EffectResult("refused")


@effect("keep_acknowledgement")
async def keep_acknowledgement(ctx: EffectContext) -> EffectResult:
    await _save_acknowledgement(ctx)
    return EffectResult("ok")
