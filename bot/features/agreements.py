"""The database side of the agreements ledger: the effects its flows ask for.

Who may see what is decided here, from the rows, never from the button:
a proposal can be answered only by the partner it awaits, within the couple
it belongs to, while the two are linked, while it is pending or put off
("not now" keeps it waiting, under "put off" in /agreements).
"""

from __future__ import annotations

from datetime import datetime

from bot.db import ledger as L
from bot.nudges.kinds import remind_later
from bot.turn.effects import EffectContext, EffectResult, Notice, effect, shorten
from content import catalog
from content.dates import format_date
from flows.agreements import answer_buttons
from flows.engine import Button, Say, item_data


def _date(moment: datetime, locale: str, zone: str | None) -> str:
    return format_date(moment, locale, zone)


async def _names(ctx: EffectContext, *user_ids: int) -> dict[int, str]:
    names = {}
    for user_id in user_ids:
        record = ctx.user if user_id == ctx.user.id else await ctx.repos.users.get(user_id)
        names[user_id] = (
            record.name
            if record and record.name
            else catalog(ctx.user.locale).plain("link.someone")
        )
    return names


@effect("list_agreements")
async def list_agreements(ctx: EffectContext) -> EffectResult:
    couples = await ctx.repos.couples.all_for(ctx.user.id)
    active = next((c for c in couples if c.unlinked_at is None), None)
    versions = await ctx.repos.ledger.visible_to(ctx.user.id, [c.id for c in couples])
    words = catalog(ctx.user.locale)
    names = await _names(ctx, *{c.partner_of(ctx.user.id) for c in couples}, ctx.user.id)
    lists: dict[str, list] = {
        name: []
        for name in (
            "_shared",
            "_waiting_you",
            "_waiting_partner",
            "_put_off",
            "_personal",
            "_history",
            "_buttons",
        )
    }
    newest = {v.agreement_id: v.number for v in versions}  # ordered by number
    for v in versions:
        section = _section(v, ctx, active.id if active else None, newest[v.agreement_id])
        if section is None:
            continue
        who = names.get(v.proposed_by, words.plain("link.someone"))
        lists[section].append(
            {
                "kind": words.plain(f"ledger.kind_{v.kind}"),
                "text": v.text,
                "note": _note(words, v, who, ctx.user.time_zone),
            }
        )
        button = _button(v, section, ctx.user.id)
        if button is not None:
            lists["_buttons"].append(button)
    return EffectResult("ok", {**lists, "_footer": _footer(lists)})


def _section(
    v: L.VersionRecord, ctx: EffectContext, active_couple: int | None, newest: int
) -> str | None:
    if v.state == L.ACCEPTED and v.couple_id is None:
        return "_personal"
    if v.state == L.ACCEPTED:
        return "_shared" if v.couple_id == active_couple else "_history"
    if v.couple_id != active_couple or v.number != newest:
        return None
    live = v.expires_at is None or v.expires_at > ctx.now
    if v.state == L.PENDING and live:
        return "_waiting_you" if v.awaiting_id == ctx.user.id else "_waiting_partner"
    return "_put_off" if v.state == L.NOT_NOW else None


def _button(v: L.VersionRecord, section: str, user_id: int) -> dict[str, str] | None:
    """An item's button: open an agreement, or come back to a proposal put off."""
    if section in ("_shared", "_personal", "_history"):
        return {"text": "✎ " + shorten(v.text), "data": item_data("a", v.agreement_id, "open")}
    if section == "_put_off" and v.awaiting_id == user_id:
        return {"text": "↩ " + shorten(v.text), "data": item_data("v", v.id, "open")}
    return None


def _footer(lists: dict[str, list]) -> str:
    """What the buttons under the list can do: a read-only list invites no edits."""
    if lists["_shared"] or lists["_personal"] or lists["_put_off"]:
        return "ledger.footer_edit"
    return "ledger.footer_read" if lists["_history"] else "ledger.footer_empty"


def _note(words, v: L.VersionRecord, who: str, zone: str | None) -> str:
    if v.agreement_status == L.RETIRED and v.retired_at:
        return words.plain("ledger.retired_note").format(
            date=_date(v.retired_at, words.locale, zone)
        )
    if v.couple_id is None:
        return words.plain("ledger.personal_note").format(
            date=_date(v.created_at, words.locale, zone)
        )
    key = {L.ACCEPTED: "ledger.since", L.NOT_NOW: "ledger.put_off_note"}.get(
        v.state, "ledger.proposed"
    )
    return words.plain(key).format(date=_date(v.created_at, words.locale, zone), who=who)


@effect("propose")
async def propose(ctx: EffectContext) -> EffectResult:
    ledger = ctx.repos.ledger
    kind, text, why = (
        ctx.data.get("_kind") or "agreement",
        ctx.data["_text"],
        ctx.data.get("_why") or "",
    )
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None or not ctx.may_tell_partner():
        # Unlinked, or afraid (safety "yes"): kept as their own intention, sent to no one.
        agreement = await ledger.add(ctx.user.id, None, kind, L.PERSONAL, ctx.now)
        await ledger.add_version(agreement, text, why, ctx.user.id, None, L.ACCEPTED, ctx.now, None)
        return EffectResult("personal" if couple is None else "kept_safe")
    partner = couple.partner_of(ctx.user.id)
    agreement = await ledger.add(ctx.user.id, couple.id, kind, L.PROPOSED, ctx.now)
    version = await ledger.add_version(
        agreement,
        text,
        why,
        ctx.user.id,
        partner,
        L.PENDING,
        ctx.now,
        ctx.now + ctx.rules.proposal_ttl,
    )
    return EffectResult("sent", {}, (await _ask(ctx, partner, version, kind, text, why),))


async def _ask(
    ctx: EffectContext,
    partner: int,
    version_id: int,
    kind: str,
    text: str,
    why: str,
    counter: bool = False,
) -> Notice:
    other = await ctx.repos.users.get(partner)
    words = catalog(other.locale if other else "en")
    params = {
        "who": ctx.my_name(),
        "text": text,
        "kind_lower": words.plain(f"ledger.kind_{kind}").lower(),
        "why": words.text("ledger.why_line", why=why) if why else "",
    }
    key = "ledger.notify_counter" if counter else "ledger.notify"
    await remind_later(ctx.repos, partner, f"v{version_id}", ctx.now)
    return Notice(partner, Say((key,), params, answer_buttons(version_id)))


async def _answerable(ctx: EffectContext) -> L.VersionRecord | str:
    """The version when this user may answer it now; otherwise the reason they may not."""
    version = await ctx.repos.ledger.version(int(ctx.data.get("_item") or 0))
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if (
        version is None
        or couple is None
        or version.couple_id != couple.id
        or version.awaiting_id != ctx.user.id
    ):
        return "refused"
    if not ctx.may_tell_partner():
        return "safety"  # answering would tell the partner; the proposal just waits
    if version.state not in L.ANSWERABLE:
        return "done"
    if version.state == L.NOT_NOW:
        return version  # put off: it waits for them, however long
    if version.expires_at is not None and version.expires_at <= ctx.now:
        await ctx.repos.ledger.decide(version.id, L.EXPIRED, ctx.now)
        return "expired"
    return version


@effect("open_proposal")
async def open_proposal(ctx: EffectContext) -> EffectResult:
    version = await _answerable(ctx)
    action = ctx.data.get("_action")
    if isinstance(version, str):
        return EffectResult(version)
    if action not in ("accept", "counter", "later", "open"):
        return EffectResult("refused")
    if action == "later" and version.state == L.NOT_NOW:
        action = "still_put_off"
    return EffectResult(action, {"_text": version.text})


@effect("accept_proposal")
async def accept_proposal(ctx: EffectContext) -> EffectResult:
    version = await _answerable(ctx)
    if isinstance(version, str):
        return EffectResult(version)
    ledger = ctx.repos.ledger
    await ledger.supersede_accepted(version.agreement_id, ctx.now)
    await ledger.decide(version.id, L.ACCEPTED, ctx.now)
    await ledger.set_status(version.agreement_id, L.ACTIVE)
    told = Say(("ledger.partner_accepted",), {"who": ctx.user.name, "text": version.text})
    return EffectResult("ok", {"_text": version.text}, (Notice(version.proposed_by, told),))


@effect("counter_proposal")
async def counter_proposal(ctx: EffectContext) -> EffectResult:
    version = await _answerable(ctx)
    if isinstance(version, str):
        return EffectResult(version)
    ledger = ctx.repos.ledger
    await ledger.decide(version.id, L.COUNTERED, ctx.now)
    text = ctx.data["_text"]
    new = await ledger.add_version(
        version.agreement_id,
        text,
        version.why,
        ctx.user.id,
        version.proposed_by,
        L.PENDING,
        ctx.now,
        ctx.now + ctx.rules.proposal_ttl,
    )
    notice = await _ask(ctx, version.proposed_by, new, version.kind, text, "", counter=True)
    return EffectResult("ok", {}, (notice,))


@effect("decline_proposal")
async def decline_proposal(ctx: EffectContext) -> EffectResult:
    version = await _answerable(ctx)
    if isinstance(version, str):
        return EffectResult(version)
    if version.state == L.NOT_NOW:
        return EffectResult("ok")  # already put off: nothing new to tell
    # Put off, not declined: the agreement stays proposed, the version awaits them still.
    await ctx.repos.ledger.decide(version.id, L.NOT_NOW, ctx.now)
    told = Say(("ledger.partner_not_now",), {"who": ctx.user.name, "text": version.text})
    return EffectResult("ok", {}, (Notice(version.proposed_by, told),))


async def _current(
    ctx: EffectContext, agreement_id: int
) -> tuple[L.AgreementRecord, L.VersionRecord, str] | None:
    """The agreement, its accepted wording and how this user relates to it, or None."""
    agreement = await ctx.repos.ledger.agreement(agreement_id)
    if agreement is None:
        return None
    accepted = [
        v for v in await ctx.repos.ledger.versions_of(agreement.id) if v.state == L.ACCEPTED
    ]
    if not accepted:
        return None
    if agreement.couple_id is None:
        return (agreement, accepted[-1], "personal") if agreement.owner_id == ctx.user.id else None
    couples = {c.id: c for c in await ctx.repos.couples.all_for(ctx.user.id)}
    couple = couples.get(agreement.couple_id)
    if couple is None:
        return None
    relation = "shared" if couple.unlinked_at is None else "past"
    if agreement.status == L.RETIRED:
        relation = "past"
    return agreement, accepted[-1], relation


@effect("open_item")
async def open_item(ctx: EffectContext) -> EffectResult:
    found = await _current(ctx, int(ctx.data.get("_item") or 0))
    if found is None:
        return EffectResult("refused")
    agreement, version, relation = found
    words = catalog(ctx.user.locale)
    names = await _names(ctx, version.proposed_by)
    return EffectResult(
        relation,
        {
            "_agreement": agreement.id,
            "_text": version.text,
            "_kind_label": words.plain(f"ledger.kind_{agreement.kind}"),
            "_note": _note(words, version, names[version.proposed_by], ctx.user.time_zone),
        },
    )


async def _shared_item(ctx: EffectContext) -> tuple[L.AgreementRecord, L.VersionRecord, int] | None:
    found = await _current(ctx, int(ctx.data.get("_agreement") or 0))
    if found is None or found[2] != "shared":
        return None
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        return None  # unlinked since the agreement was read as shared
    return found[0], found[1], couple.partner_of(ctx.user.id)


@effect("propose_revision")
async def propose_revision(ctx: EffectContext) -> EffectResult:
    found = await _shared_item(ctx)
    if found is None:
        return EffectResult("refused")
    agreement, version, partner = found
    text = ctx.data["_text"]
    new = await ctx.repos.ledger.add_version(
        agreement.id,
        text,
        version.why,
        ctx.user.id,
        partner,
        L.PENDING,
        ctx.now,
        ctx.now + ctx.rules.proposal_ttl,
    )
    notice = await _ask(ctx, partner, new, agreement.kind, text, "", counter=True)
    return EffectResult("sent", {}, (notice,))


@effect("share_personal")
async def share_personal(ctx: EffectContext) -> EffectResult:
    found = await _current(ctx, int(ctx.data.get("_agreement") or 0))
    if found is None or found[2] != "personal":
        return EffectResult("refused")
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        return EffectResult("not_linked")
    agreement, version, _ = found
    partner = couple.partner_of(ctx.user.id)
    await ctx.repos.ledger.move_to_couple(agreement.id, couple.id)
    await ctx.repos.ledger.decide(version.id, L.SUPERSEDED, ctx.now)
    new = await ctx.repos.ledger.add_version(
        agreement.id,
        version.text,
        version.why,
        ctx.user.id,
        partner,
        L.PENDING,
        ctx.now,
        ctx.now + ctx.rules.proposal_ttl,
    )
    notice = await _ask(ctx, partner, new, agreement.kind, version.text, version.why)
    return EffectResult("sent", {}, (notice,))


@effect("request_retire")
async def request_retire(ctx: EffectContext) -> EffectResult:
    found = await _current(ctx, int(ctx.data.get("_agreement") or 0))
    if found is None or found[2] == "past":
        return EffectResult("refused")
    agreement, version, relation = found
    if relation == "personal":
        await ctx.repos.ledger.retire(agreement.id, ctx.now)
        return EffectResult("retired")
    if not ctx.may_tell_partner():
        return EffectResult("safety")
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        return EffectResult("refused")  # unlinked since the agreement was read as shared
    partner = couple.partner_of(ctx.user.id)
    await ctx.repos.ledger.ask_to_retire(agreement.id, ctx.user.id)
    buttons = (
        (
            Button("ledger.retire_ok", item_data("r", agreement.id, "confirm")),
            Button("ledger.retire_keep", item_data("r", agreement.id, "keep")),
        ),
    )
    ask = Say(("ledger.retire_request",), {"who": ctx.user.name, "text": version.text}, buttons)
    return EffectResult("asked", {}, (Notice(partner, ask),))


@effect("answer_retire")
async def answer_retire(ctx: EffectContext) -> EffectResult:
    found = await _current(ctx, int(ctx.data.get("_item") or 0))
    if found is None or found[2] != "shared":
        return EffectResult("done" if found and found[2] == "past" else "refused")
    agreement, version, _ = found
    asker = agreement.retire_requested_by
    if asker is None:
        return EffectResult("done")
    if asker == ctx.user.id:
        return EffectResult("refused")  # the one who asked cannot confirm for the other
    if ctx.data.get("_action") == "confirm":
        await ctx.repos.ledger.retire(agreement.id, ctx.now)
        told = Say(("ledger.partner_retired",), {"text": version.text})
        return EffectResult("retired", {}, (Notice(asker, told),))
    await ctx.repos.ledger.ask_to_retire(agreement.id, None)
    told = Say(("ledger.partner_kept",), {"who": ctx.user.name, "text": version.text})
    return EffectResult("kept", {}, (Notice(asker, told),))


@effect("item_history")
async def item_history(ctx: EffectContext) -> EffectResult:
    found = await _current(ctx, int(ctx.data.get("_agreement") or 0))
    if found is None:
        return EffectResult("refused")
    words = catalog(ctx.user.locale)
    versions = await ctx.repos.ledger.versions_of(found[0].id)
    names = await _names(ctx, *{v.proposed_by for v in versions})
    rows = [
        {
            "number": v.number,
            "text": v.text,
            "note": f"{words.plain('ledger.state_' + v.state)}, "
            f"{_date(v.created_at, words.locale, ctx.user.time_zone)}, {names[v.proposed_by]}",
        }
        for v in versions
    ]
    return EffectResult("ok", {"_text": found[1].text, "_versions": rows})
