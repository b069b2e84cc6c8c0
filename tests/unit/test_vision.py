"""Table tests of the new-vision flows (pure, no I/O): every state with every kind of input,
every effect result, and the words each step shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content import catalog
from flows import FLOWS
from flows.agreements import AGREEMENTS
from flows.engine import ButtonPress, Context, Session, TextInput
from flows.router import PARKED, Command, ItemPress, after_effect, route
from flows.vision import MAX_ANSWER_CHARS, REVEAL, VISION
from tests.unit.flow_tables import rendered, resting

NOW = datetime(2026, 5, 4, 19, 0, tzinfo=UTC)
PROFILE = {"onboarded": True, "consent": "yes", "safety": "no"}
# Drafts as far into each flow as they go, so every prompt can be rendered.
SAVED = {
    "want": "Kind & <honest> mornings",
    "change": "We say when plans change",
    "show_up": "I listen before I answer",
}
DATA = {
    "_mode": "linked",
    "_partner": "Alex",
    "_want": "Kind & <honest> mornings",
    "_change": "We say when plans change",
    "_show_up": "I listen before I answer",
    "_mine": SAVED,
    "_reflection": 5,
    "_date": "04 May 2026",
    "_note": "solo",
    "_kind": "ritual",
    "_text": "A walk on Sundays",
    "_why": "Time together",
}
MINE = (VISION, REVEAL)


def ctx(profile=None) -> Context:
    return Context(now=NOW, profile=PROFILE if profile is None else profile)


def at(flow: str, state: str, **data) -> Session:
    return Session(flow=flow, state=state, seq=7, data={**DATA, **data})


def press(value: str, seq: int = 7) -> ButtonPress:
    return ButtonPress(seq=seq, value=value, message_id=41)


def where(outcome) -> str | None:
    return outcome.session.state if outcome.session else None


# ---------------------------------------------------------------- the transitions, pinned

V, R = "vision", "reveal"

TABLE = [
    # flow, state, input, next state (None: the flow ended), effect asked for
    (V, "intro", press("begin"), "want", None),
    (V, "intro", press("later"), None, None),
    (V, "intro", TextInput("hello"), "intro", None),
    (V, "want", TextInput("  Gentler evenings  "), "change", None),
    (V, "want", press("begin"), "want", None),
    (V, "change", TextInput("Less scrolling"), "show_up", None),
    (V, "show_up", TextInput("I ask, not assume"), "read_back", None),
    (V, "read_back", press("save"), "save", "vision_save"),
    (V, "read_back", press("redo"), "want", None),
    (V, "read_back", press("discard"), None, None),
    (V, "read_back", TextInput("save"), "read_back", None),
    (V, "saved_waiting", press("draft"), "draft_gate", "vision_draft_gate"),
    (V, "saved_waiting", press("done"), None, None),
    (V, "saved_solo", press("draft"), "draft_gate", "vision_draft_gate"),
    (V, "saved_private", press("done"), None, None),
    (V, "status_waiting", press("see"), "mine", None),
    (V, "status_waiting", press("again"), "intro", None),
    (V, "status_waiting", press("choose"), "status_waiting", None),  # not offered there
    (V, "status_choose", press("choose"), "choose", None),
    (V, "status_chosen", press("draft"), "draft_gate", "vision_draft_gate"),
    (V, "status_shown", press("done"), None, None),
    (V, "status_kept", press("again"), "intro", None),
    (V, "status_private", press("see"), "mine", None),
    (V, "mine", press("again"), "intro", None),
    (V, "mine", press("draft"), "draft_gate", "vision_draft_gate"),
    (V, "choose", press("show"), "decide", "vision_choose"),
    (V, "choose", press("keep"), "decide", "vision_choose"),
    (V, "choose", TextInput("yes please"), "choose", None),
    (V, "revealed", press("draft"), "draft_gate", "vision_draft_gate"),
    (V, "kept", press("done"), None, None),
    (V, "kind", press("boundary"), "wording", None),
    (V, "wording", TextInput("We text when late"), "why", None),
    (V, "why", press("skip"), "review", None),
    (V, "why", TextInput("So I can relax"), "review", None),
    (V, "review", press("send"), "propose", "propose"),
    (V, "review", press("rewrite"), "wording", None),
    (V, "review", press("drop"), None, None),
    (R, "choose", press("show"), "decide", "vision_choose"),
    (R, "choose", press("keep"), "decide", "vision_choose"),
    (R, "revealed", press("draft"), "draft_gate", "vision_draft_gate"),
    (R, "kept", press("draft"), "draft_gate", "vision_draft_gate"),
    (R, "kind", press("agreement"), "wording", None),
    (R, "review", press("send"), "propose", "propose"),
]


@pytest.mark.parametrize(("flow", "state", "event", "next_state", "effect"), TABLE)
def test_transitions(flow, state, event, next_state, effect):
    outcome = route(at(flow, state), event, ctx())
    assert where(outcome) == next_state
    assert (outcome.effect.name if outcome.effect else None) == effect
    assert outcome.remember == {}, "every vision answer is a draft, never on the profile"


def test_a_choice_is_kept_for_the_effect():
    for choice in ("show", "keep"):
        outcome = route(at(V, "choose"), press(choice), ctx())
        assert outcome.effect.data["_choice"] == choice


def test_answers_are_kept_as_typed_without_the_spaces_around():
    outcome = route(at(V, "want"), TextInput("  Gentler evenings  "), ctx())
    assert outcome.session.data["_want"] == "Gentler evenings"


def test_an_answer_too_long_offers_the_part_that_fits_with_its_length():
    outcome = route(at(V, "change"), TextInput("x" * (MAX_ANSWER_CHARS + 1)), ctx())
    assert where(outcome) == "change"
    assert outcome.actions[0].keys == ("common.too_long_cut",)
    assert outcome.actions[0].params["length"] == MAX_ANSWER_CHARS + 1


# ---------------------------------------------------------------- effects and their results

EFFECT_TABLE = [
    (V, "open", "new", "intro"),
    *(
        (V, "open", status, f"status_{status}")
        for status in ("waiting", "choose", "chosen", "shown", "kept", "private")
    ),
    (V, "save", "waiting", "saved_waiting"),
    (V, "save", "both", "choose"),
    (V, "save", "solo", "saved_solo"),
    (V, "save", "private", "saved_private"),
    *(
        (flow, "decide", result, state)
        for flow in (V, R)
        for result, state in (
            ("waiting", None),
            ("shown", "revealed"),
            ("kept", "kept"),
            ("refused", None),
            ("already", None),
            ("stale", None),
            ("not_ready", None),
            ("safety", None),
        )
    ),
    *((flow, "draft_gate", "ok", "kind") for flow in (V, R)),
    *((flow, "draft_gate", "private", None) for flow in (V, R)),
    *(
        (flow, "propose", result, None)
        for flow in (V, R)
        for result in ("sent", "personal", "kept_safe")
    ),
    (R, "open", "show", "choose"),
    (R, "open", "keep", "decide"),
    (R, "open", "draft", "draft_gate"),
    *(
        (R, "open", result, None)
        for result in ("refused", "already", "stale", "not_ready", "safety")
    ),
]


@pytest.mark.parametrize(("flow", "state", "result", "next_state"), EFFECT_TABLE)
def test_every_effect_result(flow, state, result, next_state):
    outcome = after_effect(at(flow, state), result, {}, ctx())
    assert where(outcome) == next_state or (
        outcome.effect is not None and outcome.session.state == next_state
    )
    assert rendered(outcome) or outcome.effect is not None


def test_every_effect_result_is_in_the_table():
    covered = {(f, s, r) for f, s, r, _ in EFFECT_TABLE}
    for flow in MINE:
        for state in flow.states.values():
            for result in state.on_result:
                assert (flow.name, state.name, result) in covered


def test_the_endings_that_say_what_happened():
    words = {
        (V, "decide", "waiting"): "Your choice is noted",
        (V, "decide", "refused"): "isn't yours to use",
        (V, "decide", "already"): "already been made",
        (V, "decide", "stale"): "replaced by newer ones",
        (V, "decide", "not_ready"): "nothing to choose yet",
        (V, "decide", "safety"): "private safety answer is yes",
        (V, "draft_gate", "private"): "won't send a proposal",
        (V, "propose", "personal"): "your own intention",
        (V, "propose", "kept_safe"): "sent it to no one",
    }
    for (flow, state, result), expected in words.items():
        assert expected in rendered(after_effect(at(flow, state), result, {}, ctx()))


def test_the_safety_refusal_offers_the_crisis_resources():
    outcome = after_effect(at(R, "decide"), "safety", {}, ctx())
    assert outcome.actions[-1].keys == ("vision.safety_refused", "sos")


# ---------------------------------------------------------------- every state, every input


@pytest.mark.parametrize(("flow", "state"), resting(*MINE))
def test_every_button_leads_where_it_says(flow, state):
    for option in FLOWS[flow].state(state).options:
        outcome = route(at(flow, state), press(option.value), ctx())
        goto = FLOWS[flow].state(option.goto)
        assert where(outcome) == (None if goto.ends else goto.name)


# ---------------------------------------------------------------- the words shown


def test_entering_remembers_step_three_and_asks_where_things_stand():
    outcome = route(None, Command("vision"), ctx())
    assert outcome.remember == {"step": "3"}
    assert outcome.effect.name == "vision_status"


def test_vision_needs_onboarding():
    outcome = route(None, Command("vision"), ctx({}))
    assert outcome.session is None and outcome.effect is None


def test_a_reveal_button_begins_the_reveal_flow_with_the_item():
    outcome = route(None, ItemPress("w", 12, "show"), ctx())
    assert outcome.session.flow == "reveal"
    assert outcome.effect.name == "vision_open_reveal"
    assert outcome.effect.data == {"_item": 12, "_action": "show"}


def test_a_reveal_button_mid_flow_replaces_the_flow():
    outcome = route(at(V, "want"), ItemPress("w", 12, "keep"), ctx())
    assert outcome.session.flow == "reveal"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("linked", "until Alex has answered too"),
        ("solo", "yours alone"),
        ("safety", "your partner isn't told about them"),
        (None, "yours alone"),
    ],
)
def test_the_intro_says_who_the_answers_are_for(mode, expected):
    outcome = after_effect(at(V, "open", _mode=mode), "new", {}, ctx())
    assert expected in rendered(outcome)


def test_the_read_back_shows_the_answers_escaped():
    text = rendered(route(at(V, "show_up"), TextInput("I listen first"), ctx()))
    assert "Kind &amp; &lt;honest&gt; mornings" in text
    assert "We say when plans change" in text and "I listen first" in text


def test_choosing_shows_what_the_partner_would_read():
    text = rendered(after_effect(at(R, "open"), "show", {}, ctx()))
    assert "what Alex would read" in text and "I listen before I answer" in text


def test_the_draft_starts_from_what_has_to_change():
    session = at(V, "kind", _change=None, _mine={**SAVED, "change": "Saved words"})
    text = rendered(route(session, press("agreement"), ctx()))
    assert "Saved words" in text
    assert catalog().plain("ledger.wording")[:30] in text


@pytest.mark.parametrize(
    ("note", "expected"),
    [("solo", "weren't linked"), ("safety", "never shared"), ("ended", "has ended")],
)
def test_private_answers_say_why(note, expected):
    text = rendered(after_effect(at(V, "open", _note=note), "private", {}, ctx()))
    assert expected in text and "04 May 2026" in text


def test_the_proposal_questions_are_the_same_as_in_agreements():
    for name in ("kind", "why", "review", "propose", "sent", "personal", "dropped"):
        assert VISION.state(name) == AGREEMENTS.state(name) == REVEAL.state(name)
    assert VISION.state("wording").prompt == ("vision.draft_start", "ledger.wording")
    assert AGREEMENTS.state("wording").prompt == ("ledger.wording",)


def test_the_read_back_shows_what_was_typed_and_later_states_what_was_saved():
    typed = rendered(route(at(V, "show_up", _want="Typed now"), TextInput("x y"), ctx()))
    assert "Typed now" in typed
    session = at(
        V, "save", _want=None, _change=None, _show_up=None, _mine={**SAVED, "want": "Saved before"}
    )
    assert "Saved before" in rendered(after_effect(session, "both", {}, ctx()))


def test_answers_being_typed_are_parked_when_another_command_comes():
    away = route(at(V, "show_up", _mine=None), Command("agreements"), ctx())
    assert away.remember[PARKED]["vision"]["state"] == "show_up"
    back = route(away.session, Command("vision"), ctx({**PROFILE, PARKED: away.remember[PARKED]}))
    assert back.session.state == "show_up" and back.session.data["_want"] == DATA["_want"]


@pytest.mark.parametrize("state", ["saved_waiting", "status_choose", "choose", "mine"])
def test_once_saved_nothing_is_parked_and_vision_shows_where_things_stand(state):
    saved = at(V, state, _want=None, _change=None, _show_up=None, _text=None, _why=None)
    outcome = route(saved, ItemPress("w", 5, "show"), ctx())
    assert PARKED not in outcome.remember
