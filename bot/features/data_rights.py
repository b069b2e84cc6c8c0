"""The database side of a person's data rights: the effects /export, /delete and /erase ask for.

The export is one JSON document of everything stored about the person, words
opened, times in ISO 8601 UTC. It holds what they wrote, chose and were sent
by a partner on purpose (proposals put to them); never a partner's private
words, nor a partner's id. Deleting follows the rule in bot/db/privacy.py and
docs/privacy.md, and never tells the partner anything.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.db import ledger as L
from bot.db.couples import CoupleRecord
from bot.db.privacy import GONE
from bot.turn.effects import EffectContext, EffectResult, effect
from flows.router import PARKED

EXPORT_FORMAT, EXPORT_VERSION = "kintsugi-export", 1
# Telegram lets a bot delete a message for 48 hours; an hour to spare for the queue.
DELETABLE_FOR = timedelta(hours=47)
# Flows that show a partner's words while open (a proposal, a share, a request): a
# partner who stays is taken out of them when the other deletes, so no words linger.
SHOWS_PARTNER_WORDS = frozenset(
    {"respond", "retire_answer", "notice", "listen", "reveal", "reassure"}
)


@effect("export_data")
async def export_data(ctx: EffectContext) -> EffectResult:
    document = await everything_of(ctx)
    raw = json.dumps(document, default=_plain, ensure_ascii=False, indent=2).encode()
    name = f"kintsugi-export-{ctx.now:%Y-%m-%d}.json"
    return EffectResult("ok", {"_export": {"name": name, "base64": base64.b64encode(raw).decode()}})


@effect("forget_me")
async def forget_me(ctx: EffectContext) -> EffectResult:
    await _forget(ctx)
    return EffectResult("ok")


@effect("erase_me")
async def erase_me(ctx: EffectContext) -> EffectResult:
    ids = await ctx.repos.privacy.recent_message_ids(
        ctx.user.id, ctx.user.chat_id, ctx.now - DELETABLE_FOR
    )
    await _forget(ctx)
    return EffectResult("ok", {"_message_ids": ids})


# ---------------------------------------------------------------- forgetting


async def _forget(ctx: EffectContext) -> None:
    partners = {c.partner_of(ctx.user.id) for c in await ctx.repos.couples.all_for(ctx.user.id)}
    await ctx.repos.privacy.forget(ctx.user.id, ctx.user.chat_id, ctx.now)
    for partner in partners - {GONE}:
        await _close_partner_words(ctx, partner)
    ctx.user.forgotten = True


async def _close_partner_words(ctx: EffectContext, partner_id: int) -> None:
    """A partner in the middle of reading the leaver's words is quietly taken out of it;
    their next press is answered as a button from an earlier question."""
    partner = await ctx.repos.users.lock_existing(partner_id)
    if partner is None or not partner.session:
        return
    if partner.session.get("flow") in SHOWS_PARTNER_WORDS:
        partner.session = None
        await ctx.repos.users.save(partner, ctx.now)


# ---------------------------------------------------------------- the export


async def everything_of(ctx: EffectContext) -> dict[str, Any]:
    """The export document: every piece of this person's data, words opened."""
    repos, me = ctx.repos, ctx.user.id
    couples = await repos.couples.all_for(me)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": ctx.now,
        "you": _you(ctx),
        "answers_and_settings": {k: v for k, v in ctx.user.profile.items() if k != PARKED},
        "unfinished": _unfinished(ctx.user.profile.get(PARKED) or {}),
        "links": [_link(couple) for couple in couples],
        "invitations": await repos.privacy.invites(me),
        "agreements": await _agreements(ctx, [c.id for c in couples]),
        "commitments": await repos.privacy.commitments(me),
        "weekly_checkins": await repos.privacy.weeks(me),
        "reflections": [_reflection(r) for r in await repos.reflections.of_user(me)],
        "listening": await _listening(ctx),
        "reminders": [
            {
                "kind": n.kind,
                "repeats": n.standing,
                "next_due_at": n.due_at,
                "every_days": n.every_days,
            }
            for n in await repos.nudges.for_user(me)
        ],
    }


def _you(ctx: EffectContext) -> dict[str, Any]:
    user = ctx.user
    return {
        "telegram_user_id": user.id,
        "first_name": user.name,
        "language": user.locale,
        "time_zone": user.time_zone,
        "reminder_time": user.reminder_time,
        "receiving_messages": user.is_active,
        "first_seen_at": user.created_at,
        "set_up_at": user.onboarded_at,
    }


def _unfinished(parked: Mapping[str, Any]) -> dict[str, Any]:
    """Flows left mid-way, with what was typed in them."""
    return {
        flow: {"at": session.get("state"), "answers": session.get("data") or {}}
        for flow, session in parked.items()
    }


def _link(couple: CoupleRecord) -> dict[str, Any]:
    # Only the link itself: the partner's id and name are theirs, not part of this export.
    return {
        "linked_at": couple.linked_at,
        "unlinked_at": couple.unlinked_at,
        "current": couple.unlinked_at is None,
    }


async def _agreements(ctx: EffectContext, couple_ids: list[int]) -> list[dict[str, Any]]:
    me = ctx.user.id
    found: dict[int, dict[str, Any]] = {}
    for v in await ctx.repos.ledger.visible_to(me, couple_ids):
        if not (v.proposed_by == me or v.awaiting_id == me or v.state == L.ACCEPTED):
            continue  # a partner's wording never put to this person (e.g. a private draft)
        agreement = found.setdefault(
            v.agreement_id,
            {
                "kind": v.kind,
                "with_partner": v.couple_id is not None,
                "status": v.agreement_status,
                "retired_at": v.retired_at,
                "versions": [],
            },
        )
        agreement["versions"].append(
            {
                "number": v.number,
                "text": v.text,
                "why": v.why or None,
                "state": v.state,
                "shared": v.couple_id is not None and v.state == L.ACCEPTED,
                "proposed_by": _who(v.proposed_by, me),
                "proposed_to": _who(v.awaiting_id, me),
                "created_at": v.created_at,
                "expires_at": v.expires_at,
            }
        )
    return list(found.values())


def _who(user_id: int | None, me: int) -> str | None:
    if user_id is None:
        return None
    return "you" if user_id == me else "partner"


def _reflection(record) -> dict[str, Any]:
    return {
        "kind": record.kind,
        "answers": record.answers,
        "about_a_couple": record.couple_id is not None,
        "reveal": record.reveal,
        "shared_at": record.shared_at,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


async def _listening(ctx: EffectContext) -> list[dict[str, Any]]:
    """Each exercise this person was in, with only what they wrote in it."""
    me = ctx.user.id
    written = await ctx.repos.privacy.turns_written_by(me)
    return [
        {
            "you_were": "speaker" if e.speaker_id == me else "listener",
            "status": e.status,
            "attempt": e.attempt,
            "started_at": e.created_at,
            "updated_at": e.updated_at,
            "what_you_wrote": written.get(e.id, []),
        }
        for e in await ctx.repos.listening.of_user(me)
    ]


def _plain(value: Any) -> str:
    """Times in ISO 8601 UTC, days as ISO dates."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")
