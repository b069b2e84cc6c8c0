"""Stepping a flow: the one pure function from (session, input) to outcome."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flows.engine import (
    CUT,
    DONE,
    KEEP_CUT,
    LOOKED,
    LOOKED_AT,
    TYPED_AT,
    Action,
    Button,
    ButtonPress,
    CloseQuestion,
    Context,
    EditButtons,
    Effect,
    Flow,
    FreeText,
    LocationInput,
    MediaInput,
    Option,
    Outcome,
    Parsed,
    Say,
    Session,
    State,
    TextInput,
    Toast,
    callback_data,
    menu_data,
)

_NOTHING = object()  # the input answered nothing (a navigation-only button)


def begin(flow: Flow, ctx: Context, data: Mapping[str, Any] | None = None) -> Outcome:
    """Start *flow* at its first state."""
    session = Session(flow=flow.name, state=flow.start, seq=0, data=dict(data or {}))
    return _enter(flow, session, flow.start, ctx, remember={}, before=())


def begin_at(flow: Flow, state: str, ctx: Context, data: Mapping[str, Any]) -> Outcome:
    session = Session(flow=flow.name, state=state, seq=0, data=dict(data))
    return _enter(flow, session, state, ctx, remember={}, before=())


def settle(
    flow: Flow, session: Session, result: str, data: Mapping[str, Any], ctx: Context
) -> Outcome:
    """Go on after the current state's effect returned *result* (and *data*)."""
    state = flow.state(session.state)
    if result not in state.on_result:
        raise ValueError(f"{flow.name}/{state.name}: unexpected effect result {result!r}")
    moved = Session(session.flow, session.state, session.seq, {**session.data, **data})
    return _enter(flow, moved, state.on_result[result], ctx, remember={}, before=())


def prompt(flow: Flow, session: Session, ctx: Context) -> Say:
    """The current question again, e.g. after a command interrupted the flow."""
    return _question(flow.state(session.state), session, ctx)


def step(flow: Flow, session: Session, event: Any, ctx: Context) -> Outcome:
    state = flow.state(session.state)
    if isinstance(event, ButtonPress):
        return _on_press(flow, session, state, event, ctx)
    if isinstance(event, TextInput):
        return _on_text(flow, session, state, event, ctx)
    if isinstance(event, LocationInput):
        return _on_location(flow, session, state, event, ctx)
    if isinstance(event, MediaInput):
        return _stay(session, Say(("common.unsupported_input",)))
    raise TypeError(f"not a flow input: {event!r}")


# ---------------------------------------------------------------- buttons


def _on_press(
    flow: Flow, session: Session, state: State, press: ButtonPress, ctx: Context
) -> Outcome:
    if press.seq != session.seq:
        return _stay(session, Toast("common.stale_button"), prompt(flow, session, ctx))
    if press.value == KEEP_CUT and state.text and session.data.get(CUT):
        return _keep_cut(flow, session, state, press, ctx)
    option = state.option(press.value)
    if option is None:
        return _stay(session, Toast("common.unknown_button"))
    if state.pick_many and option.value != DONE:
        return _toggle(flow, session, state, option, press, ctx)
    value: object = _picked(session, state) if state.pick_many else option.value
    if not option.records:
        value = _NOTHING
    if state.pick_many and not value:
        return _stay(session, Toast("common.pick_one"))
    closing = _close(state, session, ctx, press, _answer_labels(state, option, value))
    before = (*closing, Say((option.also_say,))) if option.also_say else closing
    return _advance(
        flow, session, state, value, option.goto or state.name, option.copy, ctx, before
    )


def _toggle(
    flow: Flow, session: Session, state: State, option: Option, press: ButtonPress, ctx: Context
) -> Outcome:
    picked = list(_picked(session, state))
    turning_on = option.value not in picked
    picked = [*picked, option.value] if turning_on else [v for v in picked if v != option.value]
    data = {**session.data, _picks_field(state): picked}
    updated = Session(session.flow, session.state, session.seq, data)
    if turning_on and option.goto:
        closing = _close(state, updated, ctx, press, (option.label,))
        return _enter(flow, updated, option.goto, ctx, remember={}, before=closing)
    actions: tuple[Action, ...] = ()
    if press.message_id is not None:
        actions = (EditButtons(press.message_id, _buttons(state, updated)),)
    return Outcome(session=updated, actions=actions)


def _picks_field(state: State) -> str:
    # Where a pick-many state keeps its picks: read and written under the same name.
    return state.answer or ""


def _picked(session: Session, state: State) -> list[str]:
    return list(session.data.get(_picks_field(state), []) or [])


def _answer_labels(state: State, option: Option, value: Any) -> tuple[str, ...]:
    if state.pick_many:
        return tuple(o.label for o in state.options if o.value in value)
    return (option.label,)


def _close(
    state: State, session: Session, ctx: Context, press: ButtonPress, labels: tuple[str, ...]
) -> tuple[Action, ...]:
    if press.message_id is None:
        return ()
    params = state.params(session.data, ctx) if state.params else {}
    return (CloseQuestion(press.message_id, state.prompt, params, labels),)


# ---------------------------------------------------------------- text and places


def _on_text(flow: Flow, session: Session, state: State, event: TextInput, ctx: Context) -> Outcome:
    if state.text is None:
        return _typed_at_buttons(flow, session, ctx)
    text = event.text.strip()
    if not text:
        return _stay(session, Say(("common.empty_text",)))
    if len(text) > state.text.max_chars:
        return _too_long(session, state.text, text)
    parsed = state.text.parse(text, ctx) if state.text.parse else Parsed(value=text)
    goto = state.text.goto
    if parsed.error is None:
        session, goto = _second_look(session, state, state.text, text)
    return _accept(flow, session, state, parsed, goto, ctx)


def _second_look(
    session: Session, state: State, answer: FreeText, text: str
) -> tuple[Session, str]:
    """Where an answer leads: to its second look, the first time that finds something."""
    look, looked = answer.second_look, list(session.data.get(LOOKED) or ())
    found = look.find(text) if look and state.name not in looked else None
    if look is None or not found:
        return session, answer.goto
    data = {**session.data, LOOKED: [*looked, state.name], LOOKED_AT: found}
    return Session(session.flow, session.state, session.seq, data), look.goto


def _typed_at_buttons(flow: Flow, session: Session, ctx: Context) -> Outcome:
    """Words where only a button answers: said in full once, then the question again
    with its buttons close at hand, then a short line, varied; never the same twice running."""
    seq, count = session.data.get(TYPED_AT) or (None, 0)
    count = count + 1 if seq == session.seq else 1
    counted = Session(
        session.flow, session.state, session.seq, {**session.data, TYPED_AT: [session.seq, count]}
    )
    if count == 1:
        return _stay(counted, Say(("common.use_buttons",)))
    if count % 2 == 0:
        return _stay(counted, Say(("common.use_buttons_again",)), prompt(flow, counted, ctx))
    return _stay(counted, Say(("common.use_buttons_still",)))


def _too_long(session: Session, answer: FreeText, text: str) -> Outcome:
    """Keeps the part that fits and offers it as the answer, so nothing typed is thrown
    away; words that must be read as something (a time, a place) are only asked again."""
    params = {"limit": answer.max_chars, "length": len(text)}
    if answer.parse is not None:
        return _stay(session, Say(("common.too_long",), params))
    kept = fitting_part(text, answer.max_chars)
    offered = Session(session.flow, session.state, session.seq, {**session.data, CUT: kept})
    keep = Button("common.keep_cut", callback_data(session.seq, KEEP_CUT))
    return _stay(
        offered, Say(("common.too_long_cut",), {**params, "kept": kept}, buttons=((keep,),))
    )


_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s")


def fitting_part(text: str, limit: int) -> str:
    """The start of *text* within *limit* characters, cut where a sentence ends, else
    between words (only a run with no space at all is cut mid-word)."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]  # a space just past the limit still ends a whole word
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= limit // 2:
        return head[: ends[-1]].rstrip()
    space = head.rfind(" ")
    return (head[:space] if space >= limit // 2 else text[:limit]).rstrip()


def _keep_cut(
    flow: Flow, session: Session, state: State, press: ButtonPress, ctx: Context
) -> Outcome:
    """The part that fitted is taken as if it had been typed that way."""
    data = {k: v for k, v in session.data.items() if k != CUT}
    kept = str(session.data[CUT])
    outcome = _on_text(
        flow, Session(session.flow, session.state, session.seq, data), state, TextInput(kept), ctx
    )
    if press.message_id is None:
        return outcome
    return replace(outcome, actions=(EditButtons(press.message_id, ()), *outcome.actions))


def _on_location(
    flow: Flow, session: Session, state: State, event: LocationInput, ctx: Context
) -> Outcome:
    if state.place is None:
        return _stay(session, Say(("common.unsupported_input",)))
    parsed = state.place.parse(event.latitude, event.longitude, ctx)
    return _accept(flow, session, state, parsed, state.place.goto, ctx)


def _accept(
    flow: Flow, session: Session, state: State, parsed: Parsed, goto: str, ctx: Context
) -> Outcome:
    if parsed.error:
        return _stay(session, Say((parsed.error,), parsed.error_params))
    return _advance(flow, session, state, parsed.value, goto, (), ctx, before=())


# ---------------------------------------------------------------- moving on


def _advance(
    flow: Flow,
    session: Session,
    state: State,
    value: Any,
    goto: str,
    copies: tuple[tuple[str, str], ...],
    ctx: Context,
    before: tuple[Action, ...],
) -> Outcome:
    data = dict(session.data)
    remember: dict[str, Any] = {}
    if state.answer and value is not _NOTHING:
        data[state.answer] = value
        _remember(remember, state.answer, value)
    for target, source in copies:
        data[target] = data.get(source)
        _remember(remember, target, data[target])
    moved = Session(session.flow, session.state, session.seq, data)
    return _enter(flow, moved, goto, ctx, remember, before)


def _enter(
    flow: Flow,
    session: Session,
    name: str,
    ctx: Context,
    remember: dict[str, Any],
    before: tuple[Action, ...],
) -> Outcome:
    state = flow.state(name)
    data = {**{k: v for k, v in session.data.items() if k not in (CUT, TYPED_AT)}, **state.on_enter}
    for field_name, value in state.on_enter.items():
        _remember(remember, field_name, value)
    left_place = flow.state(session.state).place is not None and name != session.state
    entered = Session(flow.name, name, session.seq + 1, data)
    if state.effect:
        return Outcome(entered, before, remember, effect=Effect(state.effect, data))
    question = _question(state, entered, ctx, clear_reply_keyboard=left_place)
    if state.ends:
        return Outcome(None, (*before, question), remember, finished=True, resume=state.resumes)
    return Outcome(entered, (*before, question), remember)


def _remember(remember: dict[str, Any], name: str, value: Any) -> None:
    if not name.startswith("_"):
        remember[name] = value


def _stay(session: Session, *actions: Action) -> Outcome:
    return Outcome(session=session, actions=actions)


# ---------------------------------------------------------------- rendering a question


def _question(
    state: State, session: Session, ctx: Context, clear_reply_keyboard: bool = False
) -> Say:
    params = state.params(session.data, ctx) if state.params else {}
    ask_location = state.place.button if state.place else None
    photo = session.data.get(state.photo) if state.photo else None
    document = session.data.get(state.document) if state.document else None
    deletes = tuple(session.data.get(state.deletes) or ()) if state.deletes else ()
    return Say(
        state.prompt,
        params,
        _buttons(state, session),
        ask_location,
        clear_reply_keyboard,
        photo,
        document,
        deletes,
    )


def _buttons(state: State, session: Session) -> tuple[tuple[Button, ...], ...]:
    picked = set(_picked(session, state)) if state.pick_many else set()
    buttons = [
        Button(
            option.label, callback_data(session.seq, option.value), checked=option.value in picked
        )
        for option in state.options
    ]
    width = max(state.columns, 1)
    rows = [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]
    links = [
        (Button(label, url=session.data[field]),)
        for label, field in state.links
        if session.data.get(field)
    ]
    items = (
        [
            (Button("", data=item["data"], text=item["text"]),)
            for item in session.data.get(state.item_buttons, ())
        ]
        if state.item_buttons
        else []
    )
    jumps = [(Button(label, menu_data(command)),) for label, command in state.jumps]
    return tuple([*links, *items, *rows, *jumps])
