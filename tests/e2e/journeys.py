"""Journeys shared by the end-to-end tests: people already set up, couples already linked,
and the clicked-through steps (invite, link, propose) that several tests take on the way.

Where onboarding or linking is not what a test is about, `onboarded` and `linked_pair`
write the rows that clicking through them would have left (the same profile, rhythm of
nudges, couple and spent invitation), in a fraction of the time. The tests about
onboarding and linking themselves still click through (`harness.onboard`, `invite`).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets

from bot import timezones
from bot.nudges.kinds import reschedule
from bot.runtime import Runtime
from bot.turn.effects import LinkRules
from playground.client import EmulatorClient, SimUser
from tests.e2e.harness import answer, expect, onboard, say

LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")
CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b")
EVENING = "20:00"  # the reminder `harness.onboard` picks


async def onboarded(
    runtime: Runtime,
    user: SimUser,
    *,
    role: str = "hurt",
    safety: str = "no",
    city: str = "Berlin",
    hopes: str = "To trust each other again",
) -> None:
    """*user* as `harness.onboard` leaves them, with the same answers, written directly;
    their chat ends, as onboarding's does, at the menu."""
    zone = timezones.zone_named(city)
    assert zone, f"no time zone for {city!r}"
    now = runtime.clock.now()
    async with runtime.db.transaction() as repos:
        record = await repos.users.lock(user.id, user.id, user.language_code, now)
        record.name = user.first_name
        record.time_zone, record.reminder_time = zone, EVENING
        record.onboarded_at = now
        record.profile = {
            "consent": "yes",
            "role": role,
            "causes": ["dishonesty"],
            "hopes": hopes,
            "safety": safety,
            "time_zone": zone,
            "reminder_time": EVENING,
            "onboarded": True,
        }
        await repos.users.save(record, now)
        await reschedule(repos, record, now)  # the nudges a finished onboarding plans
    await say(user, "/menu", "menu.text")  # where onboarding leaves the chat: at the menu


async def linked(runtime: Runtime, inviter: SimUser, partner: SimUser) -> None:
    """The couple an accepted invitation leaves: the link, and the invitation spent."""
    now = runtime.clock.now()
    token_hash = hashlib.sha256(secrets.token_urlsafe(24).encode()).hexdigest()
    code_hash = hashlib.sha256(secrets.token_hex(4).encode()).hexdigest()
    async with runtime.db.transaction() as repos:
        couples = repos.couples
        await couples.add_invite(
            inviter.id, token_hash, code_hash, now, now + LinkRules().invite_ttl
        )
        invitation = await couples.find_invite(token_hash)
        await couples.link(inviter.id, partner.id, now)
        await couples.close_invite(invitation.id, now, used_by=partner.id)


async def linked_pair(
    runtime: Runtime,
    emu: EmulatorClient,
    sam_role: str = "hurt",
    alex_role: str = "hurt",
    alex_safety: str = "no",
) -> tuple[SimUser, SimUser]:
    """Sam and Alex, both onboarded, Sam's invitation accepted by Alex."""
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await onboarded(runtime, sam, role=sam_role)
    await onboarded(runtime, alex, role=alex_role, safety=alex_safety)
    await linked(runtime, sam, alex)
    return sam, alex


async def pair(
    runtime: Runtime,
    emu: EmulatorClient,
    sam_role: str = "broke",
    alex_role: str = "hurt",
    alex_safety: str = "no",
) -> tuple[SimUser, SimUser]:
    """The couple of the repair steps: Sam broke the trust, Alex was hurt."""
    return await linked_pair(runtime, emu, sam_role, alex_role, alex_safety)


async def clicked_pair(emu: EmulatorClient) -> tuple[SimUser, SimUser]:
    """Sam and Alex onboarded and linked by clicking, for tests that need the chats
    exactly as those conversations leave them."""
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    await link(sam, alex)
    return sam, alex


# ------------------------------------------------------------ clicked through


async def invite(user: SimUser) -> tuple[str, str]:
    """/link → invite; returns (deep-link payload, typed code)."""
    await say(user, "/link", "link.choose")
    message = await answer(user, "link.invite", "link.invitation")
    bot_name, token = LINK.search(message["text"]).groups()
    assert bot_name == "kintsugi_playground_bot"
    assert len(token) <= 64 and len(token) >= 32  # 24 random bytes: 192 bits
    share = [b for row in message["reply_markup"]["inline_keyboard"] for b in row if "url" in b]
    assert share and share[0]["url"].startswith("https://t.me/share/url?")
    return token, CODE.search(message["text"]).group(1)


async def link(sam: SimUser, alex: SimUser, alex_safety: str = "no") -> None:
    """Sam invites, Alex accepts (after the safety pause, if Alex answered "yes")."""
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    if alex_safety == "yes":
        await answer(alex, "link.accept", "link.safety_pause")
        await answer(alex, "link.go_on", "link.linked")
    else:
        await answer(alex, "link.accept", "link.linked")
    await expect(sam, "link.invitee_accepted")


async def propose(
    user: SimUser,
    wording: str,
    why: str | None = None,
    kind: str = "boundary",
    then: str = "ledger.sent",
) -> None:
    """/agreements → propose → kind → wording → why → read back → send."""
    await say(user, "/agreements", "ledger.overview")
    await answer(user, "ledger.propose", "ledger.kind")
    await answer(user, f"ledger.kind_{kind}", "ledger.wording")
    await say(user, wording, "ledger.why")
    if why:
        review = await say(user, why, "ledger.review")
    else:
        review = await answer(user, "ledger.skip_why", "ledger.review")
    assert wording in review["text"]
    await answer(user, "ledger.send", then)
