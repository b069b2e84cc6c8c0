"""What the bot says when the crisis net finds danger: graded, private, never stored.

Acute danger (a plan, means at hand, an overdose, violence now, a weapon, "not
safe") gets the numbers at once and the flow waits. A concern gets a direct
question first (flows/safety_check.py). The writer's own urge to hurt someone
gets a calm answer, a grounding minute and the lines for people worried about
their own behaviour. When the partner is the danger, the private safety mode
is offered and /erase named as the quick exit; the partner is never told.
The words themselves are never kept: only the fact that a question was asked.
"""

from __future__ import annotations

from typing import Any

from content.resources import directory
from flows.crisis import Finding
from flows.engine import Button, Context, Outcome, Say, Session, menu_data
from flows.safety_check import PRIVATE_MODE, QUESTION_FOR, SAFETY_CHECK, private_mode
from flows.safety_plan import SAFETY_PLAN
from flows.stepping import begin_at

# A menu button, not a command: carry on with the flow a crisis reply paused.
RESUME = "resume"
# Menu buttons of the crisis answers: switch on the private mode; say one's country.
PRIVATE, COUNTRY = "private", "country:"
# Session data of a safety flow: the flow it interrupted, to go back to when it ends.
RETURN_TO = "_return_to"
SAFETY_FLOWS = (SAFETY_CHECK.name, SAFETY_PLAN.name)
# The partner is the danger: the private mode and the quick exit are offered.
PARTNER_DANGER = ("partner_violence", "threats", "fear", "coercive_control")
URGE = "urge_to_harm"
MAX_COUNTRY_BUTTONS = 6


def answer_danger(session: Session | None, finding: Finding, ctx: Context) -> Outcome:
    if finding.category == URGE:
        return Outcome(
            session, (Say(("crisis.urge", "crisis.behaviour"), buttons=_grounding(session)),)
        )
    if finding.acute or finding.category not in QUESTION_FOR:
        return Outcome(session, (_acute(session, finding, ctx),))
    return begin_at(
        SAFETY_CHECK, QUESTION_FOR[finding.category], ctx, {RETURN_TO: interrupted(session)}
    )


def interrupted(session: Session | None) -> dict[str, Any] | None:
    """The flow to go back to: the session itself, or what a safety flow already holds."""
    if session is None:
        return None
    if session.flow in SAFETY_FLOWS:
        return session.data.get(RETURN_TO)
    return session.to_json()


def _acute(session: Session | None, finding: Finding, ctx: Context) -> Say:
    keys: tuple[str, ...] = (f"crisis.acute_{finding.category}", "crisis.numbers")
    partner_danger = finding.category in PARTNER_DANGER
    if partner_danger:
        keys += ("crisis.quick_exit",)
    if session is not None:
        keys += ("crisis.paused",)
    # The router adds the one-tap country where the numbers show (flows/router._finish).
    return Say(
        keys,
        buttons=safety_buttons(session, private=partner_danger and not private_mode(ctx.profile)),
    )


def safety_buttons(
    session: Session | None, private: bool = False
) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = [
        (
            Button("safety.grounding_button", menu_data("grounding")),
            Button("safety.plan_button", menu_data("safetyplan")),
        )
    ]
    if private:
        rows.append((Button("crisis.private_mode_button", menu_data(PRIVATE)),))
    return (*rows, *carry_on(session))


def carry_on(session: Session | None) -> tuple[tuple[Button, ...], ...]:
    return ((Button("crisis.carry_on", menu_data(RESUME)),),) if session else ()


def _grounding(session: Session | None) -> tuple[tuple[Button, ...], ...]:
    return ((Button("safety.grounding_button", menu_data("grounding")),), *carry_on(session))


def country_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """With no zone or country yet: the countries of their language, one tap each."""
    if ctx.profile.get("time_zone") or ctx.profile.get("country"):
        return ()
    choices = directory().country_choices(ctx.locale)[:MAX_COUNTRY_BUTTONS]
    buttons = [
        Button("", menu_data(COUNTRY + code), text=name[:1].upper() + name[1:])
        for code, name in choices
    ]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def choose_country(session: Session | None, code: str) -> Outcome:
    """Their country, picked in one tap: its numbers now, and from now on."""
    if code not in directory().countries:
        return Outcome(session, (Say(("crisis.numbers",), buttons=carry_on(session)),))
    return Outcome(
        session,
        (Say(("crisis.numbers_here",), {"country_code": code}, buttons=_grounding(session)),),
        remember={"country": code},
    )


def turn_on_private_mode(session: Session | None) -> Outcome:
    return Outcome(
        session,
        (Say(("crisis.private_mode_on",), buttons=carry_on(session)),),
        remember=dict(PRIVATE_MODE),
    )
