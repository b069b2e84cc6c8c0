"""The database side of the agreements ledger: the effects its flows ask for.

Who may see what is decided here, from the rows, never from the button:
a proposal can be answered only by the partner it awaits, within the couple
it belongs to, while the two are linked, while it is pending.
"""

from __future__ import annotations

from datetime import datetime

from bot.db import ledger as L
from bot.effects import EffectContext, EffectResult, Notice, effect
from content import catalog
from flows.engine import Button, Say, item_data


def _date(moment: datetime) -> str:
    return moment.strftime("%d %b %Y")


def _answer_buttons(version_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button("ledger.accept", item_data("v", version_id, "accept")),
             Button("ledger.counter", item_data("v", version_id, "counter"))),
            (Button("ledger.later", item_data("v", version_id, "later")),))


async def _names(ctx: EffectContext, *user_ids: int) -> dict[int, str]:
    names = {}
    for user_id in user_ids:
        record = ctx.user if user_id == ctx.user.id else await ctx.repos.users.get(user_id)
        names[user_id] = (record.name if record and record.name
                          else catalog(ctx.user.locale).plain("link.someone"))
    return names


@effect("list_agreements")
async def list_agreements(ctx: EffectContext) -> EffectResult:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    versions = await ctx.repos.ledger.visible_to(ctx.user.id, couple.id if couple else None)
    words = catalog(ctx.user.locale)
    partner = couple.partner_of(ctx.user.id) if couple else None
    names = await _names(ctx, ctx.user.id, *([partner] if partner else []))
    lists: dict[str, list] = {"_shared": [], "_waiting_you": [], "_waiting_partner": [],
                              "_personal": []}
    for v in versions:
        kind = words.plain(f"ledger.kind_{v.kind}")
        who = names.get(v.proposed_by, words.plain("link.someone"))
        if v.state == L.ACCEPTED and v.couple_id is not None:
            note = words.plain("ledger.since").format(date=_date(v.created_at), who=who)
            lists["_shared"].append({"kind": kind, "text": v.text, "note": note})
        elif v.state == L.ACCEPTED:
            note = words.plain("ledger.personal_note").format(date=_date(v.created_at))
            lists["_personal"].append({"kind": kind, "text": v.text, "note": note})
        elif v.state == L.PENDING and (v.expires_at is None or v.expires_at > ctx.now):
            note = words.plain("ledger.proposed").format(date=_date(v.created_at), who=who)
            key = "_waiting_you" if v.awaiting_id == ctx.user.id else "_waiting_partner"
            lists[key].append({"kind": kind, "text": v.text, "note": note})
    return EffectResult("ok", lists)


@effect("propose")
async def propose(ctx: EffectContext) -> EffectResult:
    ledger = ctx.repos.ledger
    kind, text, why = ctx.data.get("_kind") or "agreement", ctx.data["_text"], ctx.data.get(
        "_why") or ""
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        agreement = await ledger.add(ctx.user.id, None, kind, L.PERSONAL, ctx.now)
        await ledger.add_version(agreement, text, why, ctx.user.id, None, L.ACCEPTED, ctx.now,
                                 None)
        return EffectResult("personal")
    partner = couple.partner_of(ctx.user.id)
    agreement = await ledger.add(ctx.user.id, couple.id, kind, L.PROPOSED, ctx.now)
    version = await ledger.add_version(agreement, text, why, ctx.user.id, partner, L.PENDING,
                                       ctx.now, ctx.now + ctx.rules.proposal_ttl)
    return EffectResult("sent", {}, (await _ask(ctx, partner, version, kind, text, why),))


async def _ask(ctx: EffectContext, partner: int, version_id: int, kind: str, text: str,
               why: str, counter: bool = False) -> Notice:
    other = await ctx.repos.users.get(partner)
    words = catalog(other.locale if other else "en")
    params = {"who": ctx.user.name or words.plain("link.someone"), "text": text,
              "kind_lower": words.plain(f"ledger.kind_{kind}").lower(),
              "why": words.text("ledger.why_line", why=why) if why else ""}
    key = "ledger.notify_counter" if counter else "ledger.notify"
    return Notice(partner, Say((key,), params, _answer_buttons(version_id)))


async def _answerable(ctx: EffectContext) -> tuple[str, L.VersionRecord | None]:
    """("ok", version) when this user may answer it now; otherwise the reason."""
    version = await ctx.repos.ledger.version(int(ctx.data.get("_item") or 0))
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if (version is None or couple is None or version.couple_id != couple.id
            or version.awaiting_id != ctx.user.id):
        return "refused", None
    if version.state != L.PENDING:
        return "done", None
    if version.expires_at is not None and version.expires_at <= ctx.now:
        await ctx.repos.ledger.decide(version.id, L.EXPIRED, ctx.now)
        return "expired", None
    return "ok", version


@effect("open_proposal")
async def open_proposal(ctx: EffectContext) -> EffectResult:
    verdict, version = await _answerable(ctx)
    action = ctx.data.get("_action")
    if verdict != "ok":
        return EffectResult(verdict)
    if action not in ("accept", "counter", "later"):
        return EffectResult("refused")
    return EffectResult(action, {"_text": version.text})


@effect("accept_proposal")
async def accept_proposal(ctx: EffectContext) -> EffectResult:
    verdict, version = await _answerable(ctx)
    if verdict != "ok":
        return EffectResult(verdict)
    ledger = ctx.repos.ledger
    await ledger.supersede_accepted(version.agreement_id, ctx.now)
    await ledger.decide(version.id, L.ACCEPTED, ctx.now)
    await ledger.set_status(version.agreement_id, L.ACTIVE)
    told = Say(("ledger.partner_accepted",), {"who": ctx.user.name, "text": version.text})
    return EffectResult("ok", {"_text": version.text}, (Notice(version.proposed_by, told),))


@effect("counter_proposal")
async def counter_proposal(ctx: EffectContext) -> EffectResult:
    verdict, version = await _answerable(ctx)
    if verdict != "ok":
        return EffectResult(verdict)
    ledger = ctx.repos.ledger
    await ledger.decide(version.id, L.COUNTERED, ctx.now)
    text = ctx.data["_text"]
    new = await ledger.add_version(version.agreement_id, text, version.why, ctx.user.id,
                                   version.proposed_by, L.PENDING, ctx.now,
                                   ctx.now + ctx.rules.proposal_ttl)
    notice = await _ask(ctx, version.proposed_by, new, version.kind, text, "", counter=True)
    return EffectResult("ok", {}, (notice,))


@effect("decline_proposal")
async def decline_proposal(ctx: EffectContext) -> EffectResult:
    verdict, version = await _answerable(ctx)
    if verdict != "ok":
        return EffectResult(verdict)
    await ctx.repos.ledger.decide(version.id, L.NOT_NOW, ctx.now)
    if version.agreement_status == L.PROPOSED:
        await ctx.repos.ledger.set_status(version.agreement_id, L.DECLINED)
    told = Say(("ledger.partner_not_now",), {"who": ctx.user.name, "text": version.text})
    return EffectResult("ok", {}, (Notice(version.proposed_by, told),))
