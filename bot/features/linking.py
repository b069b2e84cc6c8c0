"""The database side of linking partners: the effects that the linking flows ask for.

Invitation secrets (a 192-bit link token and a short typed code) are shown
once and stored only as SHA-256 hashes. Every check is repeated under row
locks when accepting, so two people racing for one invitation, or one
person accepting two, end with exactly one link.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from bot.turn.effects import EffectContext, EffectResult, Notice, effect
from content import catalog
from content.dates import format_date
from flows.engine import Say
from flows.safety_check import private_mode

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8
_TOKEN_IN_LINK = re.compile(r"start=([A-Za-z0-9_-]{16,64})")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _normal_code(typed: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", typed.upper())


def new_secrets() -> tuple[str, str]:
    """(link token, typed code): the token fits Telegram's 64-character start payload."""
    token = secrets.token_urlsafe(24)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return token, code


def _candidate_hashes(given: str) -> list[str]:
    pasted = _TOKEN_IN_LINK.search(given)
    token = pasted.group(1) if pasted else given.strip()
    return [_hash(token), _hash(_normal_code(given))]


def _name(record) -> str:
    return record.name if record and record.name else catalog().plain("link.someone")


@effect("link_status")
async def link_status(ctx: EffectContext) -> EffectResult:
    if await ctx.repos.couples.active_for(ctx.user.id):
        return EffectResult("linked")
    if private_mode(ctx.user.profile):
        return EffectResult("safety")
    return EffectResult("free")


@effect("check_safety")
async def check_safety(ctx: EffectContext) -> EffectResult:
    return EffectResult("safety" if private_mode(ctx.user.profile) else "clear")


@effect("create_invite")
async def create_invite(ctx: EffectContext) -> EffectResult:
    couples = ctx.repos.couples
    await couples.revoke_open_invites(ctx.user.id, ctx.now)  # one live invitation at a time
    token, code = new_secrets()
    expires = ctx.now + ctx.rules.invite_ttl
    await couples.add_invite(ctx.user.id, _hash(token), _hash(code), ctx.now, expires)
    link = f"https://t.me/{ctx.bot_username}?start={token}"
    share_text = catalog(ctx.user.locale).plain("link.share_text")
    return EffectResult(
        "ok",
        {
            "_link": link,
            "_code": f"{code[:4]}-{code[4:]}",
            "_expires": format_date(expires, ctx.user.locale, ctx.user.time_zone, "date_time"),
            "_share_url": "https://t.me/share/url?" + urlencode({"url": link, "text": share_text}),
        },
    )


@effect("revoke_invite")
async def revoke_invite(ctx: EffectContext) -> EffectResult:
    # The partner may have joined (or the invitation lapsed) since it was shown.
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is not None:
        partner = await ctx.repos.users.get(couple.partner_of(ctx.user.id))
        return EffectResult("linked", {"_partner": _name(partner)})
    gone = {"_link": "", "_code": "", "_share_url": ""}
    if not await ctx.repos.couples.revoke_open_invites(ctx.user.id, ctx.now):
        return EffectResult("none", gone)
    return EffectResult("ok", gone)


@effect("inspect_invite")
async def inspect_invite(ctx: EffectContext) -> EffectResult:
    couples = ctx.repos.couples
    since = ctx.now - timedelta(hours=1)
    if await couples.wrong_codes_since(ctx.user.id, since) >= ctx.rules.wrong_codes_per_hour:
        return EffectResult("throttled")
    given = str(ctx.data.get("_token") or ctx.data.get("_typed") or "")
    invite = None
    for candidate in _candidate_hashes(given) if given else []:
        invite = invite or await couples.find_invite(candidate)
    if invite is None:
        await couples.note_wrong_code(ctx.user.id, ctx.now)
        return EffectResult("unknown")
    if invite.inviter_id == ctx.user.id:
        return EffectResult("own")
    if not invite.open_at(ctx.now):
        return EffectResult("invalid")
    if await couples.active_for(ctx.user.id) or await couples.active_for(invite.inviter_id):
        return EffectResult("linked")
    inviter = await ctx.repos.users.get(invite.inviter_id)
    onboarded = bool(ctx.user.profile.get("onboarded"))
    return EffectResult(
        "ok" if onboarded else "ok_new", {"_invite": invite.id, "_inviter": _name(inviter)}
    )


@effect("accept_invite")
async def accept_invite(ctx: EffectContext) -> EffectResult:
    couples = ctx.repos.couples
    invite = await couples.invite(int(ctx.data.get("_invite") or 0))
    if invite is None or not invite.open_at(ctx.now) or invite.inviter_id == ctx.user.id:
        return EffectResult("invalid")
    # Lock the inviter too: whoever comes second sees the first one's link.
    inviter = await ctx.repos.users.lock_existing(invite.inviter_id)
    if await couples.active_for(ctx.user.id) or await couples.active_for(invite.inviter_id):
        return EffectResult("linked")
    earlier = await couples.latest_between(invite.inviter_id, ctx.user.id)
    if earlier and earlier.unlinked_at and ctx.now - earlier.unlinked_at <= ctx.rules.relink_window:
        await couples.restore(earlier.id)  # people unlink in anger and regret it
    else:
        await couples.link(invite.inviter_id, ctx.user.id, ctx.now)
    await couples.close_invite(invite.id, ctx.now, used_by=ctx.user.id)
    told = Say(("link.invitee_accepted",), {"partner": _name(ctx.user)})
    notice = Notice(invite.inviter_id, told, link_event=True)
    return EffectResult("ok", {"_partner": _name(inviter)}, (notice,))


@effect("decline_invite")
async def decline_invite(ctx: EffectContext) -> EffectResult:
    couples = ctx.repos.couples
    invite = await couples.invite(int(ctx.data.get("_invite") or 0))
    if invite is None or not invite.open_at(ctx.now):
        return EffectResult("ok")
    await couples.close_invite(invite.id, ctx.now, used_by=None)
    return EffectResult(
        "ok", {}, (Notice(invite.inviter_id, Say(("link.invitee_declined",)), link_event=True),)
    )


@effect("unlink")
async def unlink(ctx: EffectContext) -> EffectResult:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        return EffectResult("none")
    await ctx.repos.couples.unlink(couple.id, ctx.now)
    await ctx.repos.listening.end_for_couple(couple.id, ctx.now)  # it needs both of them
    partner = couple.partner_of(ctx.user.id)
    return EffectResult(
        "ok", {}, (Notice(partner, Say(("link.partner_unlinked",)), link_event=True),)
    )


@effect("describe_link")
async def describe_link(ctx: EffectContext) -> EffectResult:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        return EffectResult("none")
    partner = await ctx.repos.users.get(couple.partner_of(ctx.user.id))
    return EffectResult(
        "linked",
        {
            "_partner": _name(partner),
            "_since": format_date(couple.linked_at, ctx.user.locale, ctx.user.time_zone),
        },
    )
