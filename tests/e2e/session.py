"""A long scripted session of two partners, for the fault runs and the crash runs.

Sam and Alex onboard, link through the invitation's deep link, settle three
proposals (one accepted at once, one after a change, one put off) and look
around. Every step is one thing one partner does, then a wait for what must
follow in their chat and, where the partner is told, in the partner's. The
session is played calmly once by one couple, the reference, and once by
another couple under faults or kills: both couples' chats must come out the
same, message for message, and so must what the database holds about them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.database import Database
from playground.client import EmulatorClient, SimUser
from tests.e2e.harness import WAIT_SECONDS, answer, expect, label, say, wait_for_button

LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
# What differs between two plays of the same session: the invitation, the clock.
VARIES = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ][\d:.+]+"), "<moment>"),
    (re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}\b"), "<date>"),
    (re.compile(r"\b\d{1,2}:\d{2}\b"), "<time>"),
    (re.compile(r"start=[A-Za-z0-9_-]+"), "start=<token>"),
    (re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b"), "<code>"),
    (re.compile(r"\bi:(\w+):\d+:"), r"i:\1:<id>:"),
]  # buttons about stored rows


@dataclass
class Couple:
    sam: SimUser
    alex: SimUser
    invitation: str = ""  # the deep-link token, once Sam has invited

    def __getitem__(self, who: str) -> SimUser:
        return {"sam": self.sam, "alex": self.alex}[who]

    def partner(self, who: str) -> SimUser:
        return self.alex if who == "sam" else self.sam


@dataclass(frozen=True)
class Step:
    """One partner types (`text`) or presses (`button`, a label's content key), then the
    content key `then` appears in their chat and `told` (if any) in the partner's."""

    who: str
    then: str
    text: str | None = None
    button: str | None = None
    toggles: bool = False  # a multi-select: the pressed button gains a tick in place
    told: str | None = None

    async def play(self, couple: Couple, timeout: float) -> None:
        user, partner = couple[self.who], couple.partner(self.who)
        told_after = await _last_message_id(partner) if self.told else 0
        if self.toggles:
            await user.press(label(self.button))
            await wait_for_button(user, "✓ " + label(self.button), timeout=timeout)
            return
        if self.button:
            reply = await answer(user, self.button, self.then, timeout=timeout)
        else:
            typed = self.text.format(invitation=couple.invitation)
            reply = await say(user, typed, self.then, timeout=timeout)
        invitation = LINK.search(reply["text"] or "")
        if invitation:
            couple.invitation = invitation.group(1)
        if self.told:
            await expect(partner, self.told, after=told_after, timeout=timeout)


async def _last_message_id(user: SimUser) -> int:
    messages = await user.bot_messages()
    return messages[-1]["message_id"] if messages else 0


def _onboarding(who: str, role: str, hopes: str, city: str, last: str) -> list[Step]:
    return [
        Step(who, "onboarding.role", button="onboarding.consent_yes"),
        Step(who, "onboarding.causes", button=f"onboarding.role_{role}"),
        Step(who, "", button="causes.dishonesty", toggles=True),
        Step(who, "onboarding.hopes", button="onboarding.causes_done"),
        Step(who, "onboarding.safety", text=hopes),
        Step(who, "onboarding.zone", button="onboarding.safety_no"),
        Step(who, "onboarding.zone_confirm", text=city),
        Step(who, "onboarding.reminder", button="onboarding.zone_confirm_yes"),
        Step(who, last, button="onboarding.reminder_none"),
    ]


def _proposal(who: str, kind: str, wording: str, why: str | None) -> list[Step]:
    return [
        Step(who, "ledger.overview", text="/agreements"),
        Step(who, "ledger.kind", button="ledger.propose"),
        Step(who, "ledger.wording", button=f"ledger.kind_{kind}"),
        Step(who, "ledger.why", text=wording),
        Step(who, "ledger.review", text=why)
        if why
        else Step(who, "ledger.review", button="ledger.skip_why"),
        Step(who, "ledger.sent", button="ledger.send", told="ledger.notify"),
    ]


SESSION: list[Step] = [
    Step("sam", "onboarding.welcome", text="/start"),
    Step("sam", "onboarding.consent", button="onboarding.begin"),
    *_onboarding("sam", "hurt", "To trust each other again", "Berlin", "menu.text"),
    Step("sam", "link.choose", text="/link"),
    Step("sam", "link.invitation", button="link.invite"),
    Step("alex", "link.offer", text="/start {invitation}"),
    Step("alex", "onboarding.consent", button="link.setup"),
    *_onboarding("alex", "broke", "To be someone Sam can lean on", "Lisbon", "link.set_up"),
    Step("alex", "link.linked", button="link.accept", told="link.invitee_accepted"),
    *_proposal("sam", "boundary", "We say when plans change", "Surprises hurt"),
    Step("alex", "ledger.accepted", button="ledger.accept", told="ledger.partner_accepted"),
    Step("sam", "link.partner", text="/partner"),
    *_proposal("alex", "ritual", "A walk together on Sundays", None),
    Step("sam", "ledger.counter_prompt", button="ledger.counter"),
    Step(
        "sam",
        "ledger.countered",
        text="A walk together on Sundays, phones at home",
        told="ledger.notify_counter",
    ),
    Step("alex", "ledger.accepted", button="ledger.accept", told="ledger.partner_accepted"),
    Step("alex", "help", text="/help"),
    Step("sam", "privacy", text="/privacy"),
    *_proposal("sam", "agreement", "We share the budget each month", "Money worries"),
    Step("alex", "ledger.not_now", button="ledger.later", told="ledger.partner_not_now"),
    Step("alex", "ledger.overview", text="/agreements"),
    Step("sam", "menu.text", text="/menu"),
    Step("sam", "ledger.overview", text="/agreements"),
]

Played = Callable[[Step], Awaitable[None]]


async def play(
    couple: Couple,
    around: Callable[[Step, Played], Awaitable[None]] | None = None,
    timeout: float = WAIT_SECONDS,
) -> None:
    """Play the whole session; `around` may wrap each step (to kill the bot during it)."""
    for step in SESSION:

        async def one(step: Step = step) -> None:
            await step.play(couple, timeout)

        if around is None:
            await one()
        else:
            await around(step, one)


async def new_couple(emu: EmulatorClient) -> Couple:
    return Couple(await emu.create_user("Sam"), await emu.create_user("Alex"))


# ------------------------------------------------------------------ what came out


def _same_every_time(value: Any) -> Any:
    if isinstance(value, str):
        for pattern, mask in VARIES:
            value = pattern.sub(mask, value)
        return value
    if isinstance(value, datetime):
        return "<moment>"
    if isinstance(value, dict):
        return {key: _same_every_time(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_same_every_time(item) for item in value]
    return value


async def chat(user: SimUser) -> list[tuple[str, list[str]]]:
    """Every message the bot left in this chat, as the person sees it now: text and buttons."""
    return [
        (_same_every_time(m["text"] or f"<{m['kind']}>"), SimUser.buttons(m))
        for m in await user.bot_messages()
    ]


async def held(db: Database, couple: Couple) -> dict[str, Any]:
    """What the database holds about this couple, with each partner named by role."""
    roles = {couple.sam.id: "sam", couple.alex.id: "alex"}
    held: dict[str, Any] = {}
    async with db.transaction() as repos:
        for user_id, who in roles.items():
            user = await repos.users.get(user_id)
            linked = await repos.couples.active_for(user_id)
            versions = await repos.ledger.visible_to(user_id, [linked.id] if linked else [])
            held[who] = _same_every_time(
                {
                    "onboarded": user.onboarded_at is not None,
                    "zone": user.time_zone,
                    "reminder": user.reminder_time,
                    "profile": user.profile,
                    "session": user.session,
                    "partner": roles.get(linked.partner_of(user_id)) if linked else None,
                    "ledger": [
                        (v.kind, v.number, v.text, v.why, v.state, roles[v.proposed_by])
                        for v in versions
                    ],
                }
            )
    return held
