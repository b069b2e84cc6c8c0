"""Property tests: no sequence of inputs reaches an invalid state or an unsendable message."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.telegram.render import Renderer
from content import MAX_CALLBACK_BYTES, catalog, check_telegram_html, visible_length
from flows import FLOWS
from flows.engine import ButtonPress, Context, LocationInput, MediaInput, Session, TextInput
from flows.router import (
    COMMANDS,
    Command,
    EditedMessage,
    MenuPress,
    UnknownPress,
    after_effect,
    route,
)

VALUES = sorted({o.value for f in FLOWS.values() for s in f.states.values() for o in s.options})

inputs = st.one_of(
    st.builds(TextInput, st.text(max_size=300)),
    st.builds(TextInput, st.sampled_from(["Berlin", "9pm", "07:45", "Tokyo", "<b>hi</b> & co"])),
    st.builds(
        lambda v, lag: ("press", v, lag), st.sampled_from([*VALUES, "bogus"]), st.integers(0, 2)
    ),
    st.builds(LocationInput, st.floats(-90, 90), st.floats(-180, 180)),
    st.builds(
        MediaInput,
        st.sampled_from(["sticker", "photo", "voice"]),
        st.sampled_from(["", "look", "i want to die"]),
    ),
    st.builds(
        TextInput,
        st.sampled_from(
            ["I want to kill myself", "im not going to hurt myself", "he hit me", "suicde"]
        ),
    ),
    st.builds(Command, st.sampled_from([*COMMANDS, "unknown"])),
    st.builds(Command, st.just("start"), st.text(min_size=1, max_size=80)),
    st.builds(MenuPress, st.sampled_from([*COMMANDS, "resume", "forged"])),
    st.builds(EditedMessage, st.sampled_from(["", "fixed a typo", "i wanna die"])),
    st.just(UnknownPress()),
)


def _context(profile, minutes):
    return Context(
        now=datetime(2026, 10, 25, 0, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        profile=profile,
        find_zone_by_name=lambda text: "Europe/Berlin" if text == "Berlin" else None,
        find_zone_at=lambda lat, lon: "America/New_York" if lat > 0 else None,
    )


def _concrete(event, session):
    if isinstance(event, tuple):
        _, value, lag = event
        seq = (session.seq if session else 0) - lag
        return ButtonPress(seq=seq, value=value, message_id=10)
    return event


def _check_sendable(renderer: Renderer, outcome) -> None:
    for action in outcome.actions:
        if action.__class__.__name__ == "Toast":
            assert catalog().has(action.key)
            continue
        for call in renderer.render(action, chat_id=1):
            text = call.params.get("text")
            if text is not None:
                assert not check_telegram_html(text), text
                assert visible_length(text) <= 4096
            markup = call.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    assert 0 < len(button["callback_data"].encode()) <= MAX_CALLBACK_BYTES


def _with_effects(outcome, profile, minutes, draw):
    """Stand in for the runtime: each effect answers with any result its state allows."""
    while outcome.effect is not None:
        state = FLOWS[outcome.session.flow].state(outcome.session.state)
        result = draw(st.sampled_from(sorted(state.on_result)))
        outcome = after_effect(
            outcome.session, result, {"_inviter": "<Sam & co>"}, _context(profile, minutes)
        )
    return outcome


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(inputs, max_size=40), st.booleans(), st.data())
def test_any_input_sequence_keeps_a_valid_session(events, onboarded, data):
    renderer = Renderer(catalog())
    profile = {"onboarded": True, "consent": "yes"} if onboarded else {}
    session: Session | None = None
    for minutes, raw in enumerate(events):
        outcome = route(session, _concrete(raw, session), _context(profile, minutes))
        _check_sendable(renderer, outcome)
        outcome = _with_effects(outcome, profile, minutes, data.draw)
        _check_sendable(renderer, outcome)
        profile = {**profile, **outcome.remember}
        session = outcome.session
        if session is not None:
            flow = FLOWS[session.flow]
            assert session.state in flow.states
            assert flow.state(session.state).effect is None, "never resting on an effect"
            round_trip = Session.from_json(json.loads(json.dumps(session.to_json())))
            assert round_trip == session
        assert json.loads(json.dumps(profile)) == profile
