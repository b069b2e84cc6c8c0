"""The database side of step 1: where to start, saving what was written, sharing it.

What a user writes is saved as a reflection when their path completes:
kind "step1_broke" (what happened, its impact, what they take
responsibility for, what they will do differently, the commitment made of
it, and the apology in four parts) or "step1_hurt" (what would help them
feel safer, and what that would look like). Sharing needs a read-back and a
confirmation in the flow, and goes only through ``to_partner``, which says
no when the two are not linked or the writer's private safety answer is
"yes". A shared reflection is marked, so it is never sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.reflections import ReflectionRecord
from bot.features.shares import ANSWERABLE
from bot.turn.effects import EffectContext, EffectResult, Notice, effect, share_once
from content.dates import format_date
from flows.engine import Say
from flows.questions import ROLES
from flows.responsibility import (
    APOLOGY_FIELDS,
    THEN_HURT,
    find_excuse,
    need_labels,
    saved_apology,
)
from flows.shares import answer_buttons

BROKE, HURT = "step1_broke", "step1_hurt"


def _role(ctx: EffectContext) -> EffectResult:
    """The path for the role in the profile; a fresh start, so nothing saved is named."""
    role = ctx.user.profile.get("role")
    role = role if role in ROLES else "private"
    return EffectResult(role, {"_path": role, "_broke_id": None, "_hurt_id": None})


def _then(ctx: EffectContext, result: str) -> str:
    """On the "both" path, the end of the broke path leads on to the hurt path."""
    return result + THEN_HURT if ctx.data.get("_path") == "both" else result


def _day(ctx: EffectContext, moment: datetime) -> str:
    return format_date(moment, ctx.user.locale, ctx.user.time_zone)


def _with_shared(record: ReflectionRecord | None) -> dict[str, Any] | None:
    return None if record is None else {**record.answers, "shared": record.shared_at is not None}


@effect("step1_open")
async def step1_open(ctx: EffectContext) -> EffectResult:
    reflections = ctx.repos.reflections
    broke = await reflections.latest(ctx.user.id, BROKE)
    hurt = await reflections.latest(ctx.user.id, HURT)
    if broke is None and hurt is None:
        return _role(ctx)
    last = max((r for r in (broke, hurt) if r is not None), key=lambda r: r.created_at)
    data: dict[str, Any] = {
        "_when": _day(ctx, last.created_at),
        "_prev_broke": _with_shared(broke),
        "_prev_hurt": _with_shared(hurt),
        "_broke_id": None,
        "_hurt_id": None,
        "_path": "revisit",
    }
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if (
        broke is None
        or broke.shared_at is not None
        or couple is None
        or (not ctx.may_tell_partner())
    ):
        return EffectResult("revisit", data)
    # An apology saved before linking (or kept back) can be shared now, after a read-back.
    apology = saved_apology(broke.answers.get("apology"))
    data.update({f"_{part}": text for part, text in apology.items()})
    data.update(
        {"_broke_id": broke.id, "_partner": await ctx.name_of(couple.partner_of(ctx.user.id))}
    )
    return EffectResult("revisit_share", data)


@effect("step1_path")
async def step1_path(ctx: EffectContext) -> EffectResult:
    return _role(ctx)


@effect("step1_apology_ready")
async def step1_apology_ready(ctx: EffectContext) -> EffectResult:
    return EffectResult("shareable" if ctx.may_tell_partner() else "private")


@effect("step1_request_ready")
async def step1_request_ready(ctx: EffectContext) -> EffectResult:
    return EffectResult("shareable" if ctx.may_tell_partner() else "private")


# ---------------------------------------------------------------- saving


def _text(ctx: EffectContext, name: str) -> str:
    value = ctx.data.get(name)
    return value if isinstance(value, str) else ""


def _broke_answers(ctx: EffectContext) -> dict[str, Any]:
    own = _text(ctx, "_own")
    return {
        "what_happened": _text(ctx, "_what"),
        "impact": _text(ctx, "_impact"),
        "responsibility": own,
        "excuse_noticed": find_excuse(own),
        "do_differently": _text(ctx, "_change"),
        "commitment_id": ctx.data.get("_commitment"),
        "apology": {name: _text(ctx, f"_{part}") for part, name in APOLOGY_FIELDS.items()},
    }


def _hurt_answers(ctx: EffectContext) -> dict[str, Any]:
    needs = ctx.data.get("_needs")
    return {
        "needs": list(needs) if isinstance(needs, list) else [],
        "looks_like": _text(ctx, "_needs_words"),
    }


async def _own(ctx: EffectContext, field: str, kind: str) -> ReflectionRecord | None:
    """The reflection named in the session, if it is this user's and of this kind."""
    found = await ctx.repos.reflections.get(int(ctx.data.get(field) or 0))
    if found is None or found.user_id != ctx.user.id or found.kind != kind:
        return None
    return found


async def _save(ctx: EffectContext, field: str, kind: str, answers: dict[str, Any]) -> int:
    """Saves the answers once per pass through the path; later saves replace them."""
    saved = await _own(ctx, field, kind)
    if saved is not None:
        if saved.shared_at is None:
            await ctx.repos.reflections.replace_answers(saved.id, answers, ctx.now)
        return saved.id
    # Someone who may not be safe with their partner keeps their words outside the couple.
    couple = await ctx.repos.couples.active_for(ctx.user.id) if ctx.may_tell_partner() else None
    return await ctx.repos.reflections.add(
        ctx.user.id, kind, answers, ctx.now, couple_id=couple.id if couple else None
    )


async def _own_or_saved(
    ctx: EffectContext, field: str, kind: str, answers: dict[str, Any]
) -> ReflectionRecord:
    """The reflection named in the session, or these answers saved now as a new one."""
    record = await _own(ctx, field, kind)
    if record is not None:
        return record
    saved = await ctx.repos.reflections.get(await _save(ctx, field, kind, answers))
    assert saved is not None, "saved in this same transaction"
    return saved


async def _may_share(ctx: EffectContext) -> tuple[str, dict[str, Any]]:
    """("confirm", the partner's name) when a share could go now; otherwise why not."""
    if not ctx.may_tell_partner():
        return "unsafe", {}
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        return "unlinked", {}
    return "confirm", {"_partner": await ctx.name_of(couple.partner_of(ctx.user.id))}


async def _send(
    ctx: EffectContext, record: ReflectionRecord, say: Say
) -> tuple[str, tuple[Notice, ...]]:
    """Sends a saved apology or request once, with the partner's answer buttons under it;
    the writer hears when it arrives. The result names what happened."""
    say = Say(say.keys, say.params, answer_buttons(record.id, request=record.kind == HURT))
    notices = await share_once(ctx, record.id, say, ANSWERABLE[record.kind])
    if notices is None:
        return ("unsafe" if not ctx.may_tell_partner() else "unlinked"), ()
    return "sent", notices


# ---------------------------------------------------------------- the apology


@effect("step1_broke_keep")
async def step1_broke_keep(ctx: EffectContext) -> EffectResult:
    saved = await _save(ctx, "_broke_id", BROKE, _broke_answers(ctx))
    return EffectResult(_then(ctx, "kept"), {"_broke_id": saved})


@effect("step1_broke_share")
async def step1_broke_share(ctx: EffectContext) -> EffectResult:
    saved = await _save(ctx, "_broke_id", BROKE, _broke_answers(ctx))
    result, data = await _may_share(ctx)
    return EffectResult(
        result if result == "confirm" else _then(ctx, result), {**data, "_broke_id": saved}
    )


@effect("step1_send_apology")
async def step1_send_apology(ctx: EffectContext) -> EffectResult:
    record = await _own_or_saved(ctx, "_broke_id", BROKE, _broke_answers(ctx))
    say = Say(
        ("responsibility.partner_apology",),
        {"who": ctx.my_name(), **saved_apology(record.answers.get("apology"))},
    )
    result, notices = await _send(ctx, record, say)
    return EffectResult(_then(ctx, result), {"_broke_id": record.id}, notices)


# ---------------------------------------------------------------- the request


@effect("step1_hurt_keep")
async def step1_hurt_keep(ctx: EffectContext) -> EffectResult:
    saved = await _save(ctx, "_hurt_id", HURT, _hurt_answers(ctx))
    return EffectResult("kept", {"_hurt_id": saved})


@effect("step1_hurt_share")
async def step1_hurt_share(ctx: EffectContext) -> EffectResult:
    saved = await _save(ctx, "_hurt_id", HURT, _hurt_answers(ctx))
    result, data = await _may_share(ctx)
    return EffectResult(result, {**data, "_hurt_id": saved})


@effect("step1_send_request")
async def step1_send_request(ctx: EffectContext) -> EffectResult:
    record = await _own_or_saved(ctx, "_hurt_id", HURT, _hurt_answers(ctx))
    say = Say(
        ("responsibility.partner_request",),
        {
            "who": ctx.my_name(),
            "needs": need_labels(record.answers.get("needs")),
            "words": record.answers.get("looks_like") or "",
        },
    )
    result, notices = await _send(ctx, record, say)
    return EffectResult(result, {"_hurt_id": record.id}, notices)
