"""The database side of answering a partner's share (flows/shares.py).

Who may answer is decided here, from the rows, never from the button: the
share must be a reflection of an answerable kind, shared, written by this
user's linked partner (in this couple, or before they linked), whose safety
answer is not "yes". The receiver's answer is a reflection of their own
("share_answer": which share, read / wait / words, and the words), so "I read
it" or words back are given once, and "not ready yet" is told to the writer once.
Words back go through ``to_partner`` only after their read-back and a confirmed send.
"""

from __future__ import annotations

from typing import Any

from bot.db.reflections import ReflectionRecord
from bot.turn.effects import EffectContext, EffectResult, effect, to_partner
from flows.engine import Label, Say
from flows.safety_check import private_mode
from flows.shares import READ, WAIT, WRITE

# Kind of a shared reflection -> how it is named to its writer ("your apology").
ANSWERABLE = {
    "step1_broke": "share.what_apology",
    "step1_hurt": "share.what_request",
    "acknowledge": "share.what_thanks",
    "reassurance": "share.what_reassurance",
}
REQUEST = "step1_hurt"  # the share that can become an agreement or a commitment
ANSWER = "share_answer"
WORDS = "words"
FINAL = (READ, WORDS)  # answers given once; "wait" may come before either


async def _shared_with_me(ctx: EffectContext) -> tuple[str, ReflectionRecord | None]:
    """("ok", the share) when this user may answer it now; otherwise the reason."""
    shared = await ctx.repos.reflections.get(int(ctx.data.get("_item") or 0))
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if (
        shared is None
        or couple is None
        or shared.kind not in ANSWERABLE
        or shared.shared_at is None
        or shared.user_id != couple.partner_of(ctx.user.id)
        or shared.couple_id not in (None, couple.id)
    ):
        return "refused", None
    writer = await ctx.repos.users.get(shared.user_id)
    if writer is None or private_mode(writer.profile):
        return "refused", None
    if not ctx.may_tell_partner():
        return "safety", None
    return "ok", shared


async def _my_answers(ctx: EffectContext, shared_id: int) -> list[str]:
    rows = await ctx.repos.reflections.of_user(ctx.user.id, (ANSWER,))
    return [str(row.answers.get("answer")) for row in rows if row.answers.get("to") == shared_id]


async def _answerable(ctx: EffectContext) -> tuple[str, ReflectionRecord | None, list[str]]:
    verdict, shared = await _shared_with_me(ctx)
    if shared is None:
        return verdict, None, []
    given = await _my_answers(ctx, shared.id)
    if any(answer in FINAL for answer in given):
        return "already", None, given
    return "ok", shared, given


async def _who(ctx: EffectContext, shared: ReflectionRecord) -> dict[str, Any]:
    return {"_who": await ctx.name_of(shared.user_id)}


async def _answer(
    ctx: EffectContext,
    shared: ReflectionRecord,
    answer: str,
    key: str,
    text: str = "",
    report: str | None = None,
) -> EffectResult:
    """Keeps this user's answer and tells the writer, kindly, in the same transaction."""
    await ctx.repos.reflections.add(
        ctx.user.id,
        ANSWER,
        {"to": shared.id, "answer": answer, "text": text},
        ctx.now,
        couple_id=shared.couple_id,
    )
    say = Say((key,), {"who": ctx.my_name(), "what": Label(ANSWERABLE[shared.kind]), "text": text})
    notices = await to_partner(ctx, say, report)
    if notices is None:
        return EffectResult("refused")
    return EffectResult("ok" if answer != WORDS else "sent", await _who(ctx, shared), notices)


@effect("share_open")
async def share_open(ctx: EffectContext) -> EffectResult:
    verdict, shared, _ = await _answerable(ctx)
    action = ctx.data.get("_action")
    if shared is None:
        return EffectResult(verdict)
    if action not in (READ, WAIT, WRITE):
        return EffectResult("refused")
    return EffectResult(action, await _who(ctx, shared))


@effect("share_read")
async def share_read(ctx: EffectContext) -> EffectResult:
    verdict, shared, _ = await _answerable(ctx)
    if shared is None:
        return EffectResult(verdict)
    return await _answer(ctx, shared, READ, "share.read_by")


@effect("share_wait")
async def share_wait(ctx: EffectContext) -> EffectResult:
    verdict, shared, given = await _answerable(ctx)
    if shared is None:
        return EffectResult(verdict)
    if WAIT in given:  # told once is enough: a second press tells no one again
        return EffectResult("again", await _who(ctx, shared))
    return await _answer(ctx, shared, WAIT, "share.waits_by")


@effect("share_send")
async def share_send(ctx: EffectContext) -> EffectResult:
    verdict, shared, _ = await _answerable(ctx)
    if shared is None:
        return EffectResult(verdict)
    text = str(ctx.data.get("_text") or "")
    return await _answer(ctx, shared, WORDS, "share.words_from", text, "share.what_answer")


# ---------------------------------------------------------------- a request, made into something


@effect("share_request_draft")
async def share_request_draft(ctx: EffectContext) -> EffectResult:
    """The request's own words as the draft of an agreement or a commitment."""
    verdict, shared = await _shared_with_me(ctx)
    if shared is None or shared.kind != REQUEST:
        return EffectResult(verdict if shared is None else "refused")
    words = str(shared.answers.get("looks_like") or "")
    data = {**await _who(ctx, shared), "_words": words, "_kind": "agreement"}
    if not words or len(words) > int(ctx.data.get("_limit") or 0):
        return EffectResult("long", data)
    return EffectResult("ok", {**data, "_text": words})


@effect("share_commitment_told")
async def share_commitment_told(ctx: EffectContext) -> EffectResult:
    """The requester hears of the commitment made from their request, when its maker
    chose to tell them (after reading the words back)."""
    _, shared = await _shared_with_me(ctx)
    commitment = await ctx.repos.commitments.get(int(ctx.data.get("_commitment") or 0))
    if shared is None or commitment is None or commitment.user_id != ctx.user.id:
        return EffectResult("refused")
    say = Say(("share.commitment_for_partner",), {"who": ctx.my_name(), "text": commitment.text})
    notices = await to_partner(ctx, say, "share.what_answer")
    return EffectResult("ok", {}, notices) if notices else EffectResult("refused")
