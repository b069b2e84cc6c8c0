"""Which flow an input belongs to: commands, menu buttons, safety, then the flow.

This is the pure top of every update. Safety comes first (crisis words and
/sos answer before anything else), commands work in every state, and input
outside any flow still gets a helpful reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flows import FLOWS
from flows.commands import (
    BY_NAME,
    COMMANDS,
    FLOW_COMMANDS,
    MENU_COMMANDS,  # noqa: F401  (re-exported: bot.runtime and tests read it here)
)
from flows.crisis import Finding, detect, strong_feeling
from flows.engine import (
    CUT,
    Action,
    Button,
    ButtonPress,
    Context,
    Label,
    Outcome,
    Say,
    Session,
    Toast,
    menu_data,
)
from flows.language import KEPT_BEFORE_CONSENT
from flows.questions import REMINDERS_OFF
from flows.safety_check import private_mode
from flows.safety_net import (
    COUNTRY,
    PRIVATE,
    RESUME,
    RETURN_TO,
    SAFETY_FLOWS,
    answer_danger,
    carry_on,
    choose_country,
    country_buttons,
    interrupted,
    safety_buttons,
    turn_on_private_mode,
)
from flows.safety_plan import SAFETY_PLAN
from flows.stepping import begin, prompt, settle, step

# Flows left mid-way for another are kept under this profile key (at most MAX_PARKED).
PARKED, MAX_PARKED = "parked", 8


@dataclass(frozen=True)
class Command:
    name: str
    args: str = ""


@dataclass(frozen=True)
class MenuPress:
    action: str


@dataclass(frozen=True)
class ItemPress:
    """A button about a stored item (``kind`` names which), pressed in any state."""

    kind: str
    item_id: int
    action: str


# Kind of item -> the flow that handles its buttons: a proposal's version, an
# agreement, a request to retire one, a day's check-in, a partner's kept day to
# notice, a commitment, a nudge to snooze, a listening exercise, a new vision to
# reveal, a partner's request for reassurance; a partner's share to answer, or (a
# request) to turn into an agreement or a commitment.
ITEM_FLOWS = {
    "v": "respond",
    "a": "item",
    "r": "retire_answer",
    "k": "checkin",
    "n": "notice",
    "m": "commitment",
    "z": "snooze",
    "l": "listen",
    "w": "reveal",
    "q": "reassure",
    "s": "answer",
    "p": "request_agreement",
    "c": "request_commitment",
}


@dataclass(frozen=True)
class UnknownPress:
    """Callback data we never produced: forged, or from a much older version."""


@dataclass(frozen=True)
class EditedMessage:
    """The user edited an earlier message; answers are taken as first sent.

    The new words are still read for crisis words, and then forgotten."""

    text: str = ""


def route(session: Session | None, event: Any, ctx: Context) -> Outcome:
    """The outcome of one input, given where the user is and what they answered."""
    finding = _danger_in(session, event, ctx)
    if finding is not None:
        return _finish(answer_danger(session, finding, ctx), ctx)
    if isinstance(event, Command):
        return _command(session, event, ctx)
    if isinstance(event, MenuPress):
        if event.action == RESUME:
            return _keep(session, *(_resume(session, ctx) or (_menu(ctx),)))
        if event.action == PRIVATE:
            return _finish(turn_on_private_mode(session), ctx)
        if event.action.startswith(COUNTRY):
            return _finish(choose_country(session, event.action[len(COUNTRY) :]), ctx)
        if event.action not in COMMANDS:
            return _keep(session, Toast("common.unknown_button"))
        return _command(session, Command(event.action), ctx)
    if isinstance(event, ItemPress):
        return _item(session, event, ctx)
    if isinstance(event, UnknownPress):
        return _keep(session, Toast("common.unknown_button"))
    if isinstance(event, EditedMessage):
        return _keep(session, Say(("common.edited_message",)))
    if session is None:
        return _outside_flow(event, ctx)
    return _finish(_returning(session, step(FLOWS[session.flow], session, event, ctx), ctx), ctx)


# ---------------------------------------------------------------- commands


def _command(session: Session | None, command: Command, ctx: Context) -> Outcome:
    name = command.name
    if name == "sos":
        return _keep(
            session, Say(("sos",), buttons=(*country_buttons(ctx), *safety_buttons(session)))
        )
    if name == "grounding":
        return _keep(session, Say(("safety.grounding",), buttons=carry_on(_under_way(session))))
    if name in ("help", "privacy"):
        return _keep(session, Say((name,)), *_resume(session, ctx))
    if name == "cancel":
        return _cancel(session)
    if name == "start" and command.args:
        # A deep link: someone opened their partner's invitation.
        return _finish(begin(FLOWS["join"], ctx, {"_token": command.args[:64]}), ctx)
    if name == "start":
        return _start(session, ctx)
    if name == "menu":
        return _keep(session, _menu(ctx))
    spec = BY_NAME.get(name)
    if spec is not None and spec.flow:
        if spec.needs_onboarding and not _onboarded(ctx):
            return _keep(session, Say(("common.needs_onboarding",)))
        return _finish(_open(session, name, ctx), ctx)
    return _keep(
        session, Say(("common.unknown_command", "help"), {"command": name}), *_resume(session, ctx)
    )


def _item(session: Session | None, press: ItemPress, ctx: Context) -> Outcome:
    flow_name = ITEM_FLOWS.get(press.kind)
    if flow_name is None or not _onboarded(ctx):
        return _keep(session, Toast("common.unknown_button"))
    # Whether this person may press this button is for the flow's first effect to check.
    data = {"_item": press.item_id, "_action": press.action}
    return _finish(_open(session, flow_name, ctx, data), ctx)


def _open(
    session: Session | None, name: str, ctx: Context, data: Mapping[str, Any] | None = None
) -> Outcome:
    """Begins flow *name*. The flow it interrupts is parked with every word typed so far,
    and a parked flow opened again by its command picks up where it was left."""
    if name in SAFETY_FLOWS and session is not None:
        # A safety flow comes back to the exact question it interrupted when it ends.
        return begin(FLOWS[name], ctx, {**(data or {}), RETURN_TO: interrupted(session)})
    parked = dict(ctx.profile.get(PARKED) or {})
    if session is not None and session.flow != name and _holds_words(session):
        parked[session.flow] = session.to_json()
    earlier = parked.pop(name, None) if data is None else None
    if earlier is not None:
        resumed = Session.from_json(earlier)
        outcome = _keep(resumed, Say(("common.picked_up",)), prompt(FLOWS[name], resumed, ctx))
    else:
        outcome = begin(FLOWS[name], ctx, data)
    outcome = _told_put_aside(
        outcome, session, name, session is not None and (session.flow in parked)
    )
    if parked == (ctx.profile.get(PARKED) or {}):
        return outcome
    newest = dict(list(parked.items())[-MAX_PARKED:])
    return replace(outcome, remember={**outcome.remember, PARKED: newest})


def _told_put_aside(outcome: Outcome, session: Session | None, name: str, parked: bool) -> Outcome:
    """Says once, before the new flow speaks, what became of the question it replaced
    and how to get back to it, so leaving a flow is never silent."""
    if session is None or session.flow == name or not _awaits_answer(session):
        return outcome
    if parked:
        key = "common.put_aside_kept"
    elif session.flow in FLOW_COMMANDS:
        key = "common.put_aside_fresh"
    else:
        key = "common.put_aside_other"
    notice = Say((key,), {"command": "/" + session.flow})
    return replace(outcome, actions=(notice, *outcome.actions))


def _awaits_answer(session: Session) -> bool:
    """Whether the session rests on a question. A list being looked at (its items as
    buttons) is not one, unless something was typed in it."""
    state = FLOWS[session.flow].states.get(session.state)
    if state is None or state.effect or state.waits:
        return False
    return not state.item_buttons or _holds_words(session)


def _holds_words(session: Session) -> bool:
    """Whether the user typed anything in this flow: only then is there something to lose."""
    if session.flow not in FLOW_COMMANDS or not FLOWS[session.flow].parks:
        return False
    return bool(session.data.get(CUT)) or any(
        state.text and session.data.get(state.answer or "")
        for state in FLOWS[session.flow].states.values()
    )


def _start(session: Session | None, ctx: Context) -> Outcome:
    if session is not None:
        return _keep(session, *_resume(session, ctx))
    if _onboarded(ctx):
        return _keep(None, Say(("welcome_back",)), _menu(ctx))
    return begin(FLOWS["onboarding"], ctx)


def _cancel(session: Session | None) -> Outcome:
    if session is None:
        return _keep(None, Say(("common.nothing_to_cancel",)))
    back = _restorable(session.data.get(RETURN_TO))
    if back is not None:  # cancelling a safety flow leaves what it interrupted waiting
        return _keep(back, Say(("common.cancelled",), buttons=carry_on(_under_way(back))))
    return Outcome(None, (Say(("common.cancelled",), clear_reply_keyboard=True),))


def _outside_flow(event: Any, ctx: Context) -> Outcome:
    if isinstance(event, ButtonPress):
        return _keep(None, Toast("common.stale_button"), _menu(ctx))
    text = getattr(event, "text", None)
    if isinstance(text, str) and strong_feeling(text, ctx.locale):
        return _keep(None, _met_warmly(ctx))
    if not _onboarded(ctx):
        return _keep(None, Say(("common.needs_onboarding",)))
    return _keep(None, Say(("common.free_text_outside_flow",)))


def _met_warmly(ctx: Context) -> Say:
    """Strong feeling outside any flow: a kind word and where to take it, words not kept."""
    if not _onboarded(ctx):
        return Say(
            ("common.feeling_outside_new",),
            buttons=((Button("menu.button_sos", menu_data("sos")),),),
        )
    return Say(
        ("common.feeling_outside",),
        buttons=(
            (Button("common.feeling_triggered", menu_data("triggered")),),
            (Button("common.feeling_underneath", menu_data("underneath")),),
            (Button("menu.button_sos", menu_data("sos")),),
        ),
    )


# ---------------------------------------------------------------- menu


def _menu(ctx: Context) -> Say:
    if not _onboarded(ctx):
        return Say(("menu.not_ready",))
    keys: tuple[str, ...] = ("menu.text",)
    if private_mode(ctx.profile):
        keys += ("menu.safety_note",)
    reminder = ctx.profile.get("reminder_time")
    params = {
        "zone": (ctx.profile.get("time_zone") or "UTC").replace("_", " "),
        "reminder": (
            Label("menu.reminder_at", {"time": reminder})
            if reminder and reminder != REMINDERS_OFF
            else Label("menu.reminder_off")
        ),
    }
    buttons = (
        (
            Button("menu.button_steps", menu_data("steps")),
            Button("menu.button_practices", menu_data("practices")),
        ),
        (
            Button("menu.button_commitments", menu_data("commitments")),
            Button("menu.button_progress", menu_data("progress")),
        ),
        (
            Button("menu.button_agreements", menu_data("agreements")),
            Button("menu.button_link", menu_data("link")),
        ),
        (
            Button("menu.button_reminders", menu_data("reminders")),
            Button("menu.button_settings", menu_data("settings")),
        ),
        (
            Button("menu.button_help", menu_data("help")),
            Button("menu.button_privacy", menu_data("privacy")),
        ),
        (Button("menu.button_sos", menu_data("sos")),),
    )
    return Say(keys, params, buttons)


def _onboarded(ctx: Context) -> bool:
    return bool(ctx.profile.get("onboarded"))


# ---------------------------------------------------------------- helpers


def after_effect(session: Session, result: str, data: Mapping[str, Any], ctx: Context) -> Outcome:
    """The flow goes on once the runtime has done the work its effect state asked for."""
    return _finish(
        _returning(session, settle(FLOWS[session.flow], session, result, data, ctx), ctx), ctx
    )


def _returning(session: Session, outcome: Outcome, ctx: Context) -> Outcome:
    """A safety flow that ends goes back to the flow it interrupted: asking its question
    again at once, or waiting for "carry on"."""
    back = _restorable(session.data.get(RETURN_TO)) if outcome.finished else None
    if back is None:
        return outcome
    if outcome.resume:
        actions = (*outcome.actions, *_resume(back, ctx))
    else:
        actions = _with_buttons(outcome.actions, carry_on(_under_way(back)))
    return replace(outcome, session=back, actions=actions)


def _with_country(action: Action, ctx: Context) -> Action:
    if not isinstance(action, Say) or "crisis.numbers" not in action.keys:
        return action
    return replace(action, buttons=(*country_buttons(ctx), *action.buttons))


def _restorable(raw: Mapping[str, Any] | None) -> Session | None:
    if not raw:
        return None
    back = Session.from_json(raw)
    known = FLOWS.get(back.flow)
    return back if known is not None and back.state in known.states else None


def _with_buttons(
    actions: tuple[Action, ...], rows: tuple[tuple[Button, ...], ...]
) -> tuple[Action, ...]:
    """*rows* added under the last message of *actions*."""
    for index in range(len(actions) - 1, -1, -1):
        last = actions[index]
        if isinstance(last, Say):
            return (
                *actions[:index],
                replace(last, buttons=(*last.buttons, *rows)),
                *actions[index + 1 :],
            )
    return actions


def _under_way(session: Session | None) -> Session | None:
    """The session, if something is under way in it to carry on with. A list of stored
    things being looked at (the /agreements overview) is not: sending it again after a
    pause reads as the bot repeating itself, and its command shows it afresh."""
    if session is None:
        return None
    state = FLOWS[session.flow].states.get(session.state)
    browsing = state is not None and state.item_buttons and not _holds_words(session)
    return None if browsing else session


def _resume(session: Session | None, ctx: Context, lead: str = "common.resume") -> tuple:
    session = _under_way(session)
    if session is None:
        return ()
    return (Say((lead,)), prompt(FLOWS[session.flow], session, ctx))


def _keep(session: Session | None, *actions: Action) -> Outcome:
    return Outcome(session=session, actions=actions)


def _finish(outcome: Outcome, ctx: Context) -> Outcome:
    """Applies the consent rule, offers the one-tap country wherever crisis numbers are
    shown to someone whose country is unknown, and shows the menu when onboarding
    completes."""
    outcome = replace(outcome, actions=tuple(_with_country(a, ctx) for a in outcome.actions))
    answers = {**ctx.profile, **outcome.remember}
    if answers.get("consent") != "yes":
        # Before consent nothing is kept, but the language they chose to be spoken to in
        # (what Telegram already tells us, only made firm).
        outcome = replace(
            outcome,
            remember={
                name: value
                for name, value in outcome.remember.items()
                if name in KEPT_BEFORE_CONSENT
            },
        )
    if outcome.remember.get("onboarded"):
        menu_ctx = replace(ctx, profile=answers)
        outcome = replace(outcome, actions=(*outcome.actions, _menu(menu_ctx)))
    return outcome


# ---------------------------------------------------------------- safety words


def _danger_in(session: Session | None, event: Any, ctx: Context) -> Finding | None:
    """The crisis net reads any free text: typed, a caption, or an edit."""
    if session is not None and session.flow == SAFETY_PLAN.name:
        return None  # the plan asks about warning signs; its answers may name them
    text = getattr(event, "text", None) or getattr(event, "caption", None)
    return detect(text, ctx.locale) if isinstance(text, str) else None
