"""Table tests of the practices flows (pure, no I/O): every resting state with every
kind of input, every effect result, and the words each step shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from content import catalog
from flows import FLOWS
from flows.engine import (
    ButtonPress,
    CloseQuestion,
    Context,
    EditButtons,
    Label,
    Listing,
    Say,
    Session,
    TextInput,
    Toast,
    item_data,
    menu_data,
)
from flows.practices import ACKNOWLEDGE, PRACTICES, REASSURE, TRIGGERED, UNDERNEATH
from flows.router import Command, ItemPress, MenuPress, after_effect, route
from tests.unit.flow_tables import rendered, resting

NOW = datetime(2026, 2, 10, 18, 0, tzinfo=UTC)
PROFILE = {"onboarded": True, "consent": "yes", "safety": "no"}
MINE = (PRACTICES, TRIGGERED, UNDERNEATH, ACKNOWLEDGE, REASSURE)
# Drafts as far into each flow as they go, so every prompt can be rendered.
DATA = {
    "_first_thought": "They must be lying",
    "_other1": "Traffic",
    "_other2": "Dead phone",
    "_plan": "Wait an hour",
    "_partner": "Alex",
    "_request": "Tell me you're on your way",
    "_who": "Sam",
    "_text": "On my way, love you",
    "_feelings": ["hurt", "other"],
    "_other_feeling": "numb",
    "_reflection": 5,
    "_item": 5,
    "_action": "reply",
}


def ctx(profile=None) -> Context:
    return Context(now=NOW, profile=PROFILE if profile is None else profile)


def at(flow: str, state: str, **data) -> Session:
    return Session(flow=flow, state=state, seq=7, data={**DATA, **data})


def press(value: str, seq: int = 7) -> ButtonPress:
    return ButtonPress(seq=seq, value=value, message_id=41)


# ---------------------------------------------------------------- every state, every input


@pytest.mark.parametrize(
    ("flow", "state"), [(f, s) for f, s in resting(*MINE) if FLOWS[f].state(s).text]
)
def test_words_are_kept_in_the_session_never_on_the_profile(flow, state):
    definition = FLOWS[flow].state(state)
    outcome = route(at(flow, state), TextInput("  some honest words  "), ctx())
    assert outcome.session.state == definition.text.goto
    assert outcome.session.data[definition.answer] == "some honest words"
    assert outcome.remember == {}, "practices keep words in reflections, not on the profile"


@pytest.mark.parametrize(
    ("flow", "state", "value"),
    [(f, s, o.value) for f, s in resting(*MINE) for o in FLOWS[f].state(s).options],
)
def test_every_button_leads_where_it_says(flow, state, value):
    definition = FLOWS[flow].state(state)
    option = definition.option(value)
    outcome = route(at(flow, state, _feelings=["hurt"]), press(value), ctx())
    if definition.pick_many and option.goto is None:
        assert outcome.session.state == state  # toggled in place
        assert isinstance(outcome.actions[-1], EditButtons)
        return
    target = option.goto or state
    if FLOWS[flow].state(target).ends:
        assert outcome.session is None and outcome.finished
    else:
        assert outcome.session.state == target
    assert any(isinstance(a, CloseQuestion) for a in outcome.actions)
    assert outcome.remember == {}


@pytest.mark.parametrize(
    ("flow", "state"), [(f.name, s.name) for f in MINE for s in f.states.values() if s.effect]
)
def test_every_effect_result_leads_to_a_state_that_renders(flow, state):
    for result, target in FLOWS[flow].state(state).on_result.items():
        session = Session(flow, state, 7, DATA)
        outcome = after_effect(session, result, {}, ctx())
        reached = FLOWS[flow].state(target)
        if reached.effect:
            assert outcome.effect is not None and outcome.session.state == target
            continue
        assert (outcome.session is None) == reached.ends
        assert rendered(outcome)


@pytest.mark.parametrize("flow", MINE)
def test_every_state_renders_without_any_drafts(flow):
    """A prompt never fails for want of a draft (e.g. after /start days later)."""
    for state in flow.states.values():
        if state.effect:
            continue
        session = Session(flow.name, state.name, 7, {})
        outcome = route(session, Command("start"), ctx())
        assert rendered(outcome)


# ---------------------------------------------------------------- opening and the menu


@pytest.mark.parametrize(
    ("command", "first"),
    [("practices", "menu"), ("triggered", "ground"), ("underneath", "feelings")],
)
def test_commands_open_their_practice(command, first):
    outcome = route(None, Command(command), ctx())
    assert outcome.session.flow == command and outcome.session.state == first


def test_acknowledge_begins_with_a_check_of_the_link():
    outcome = route(None, Command("acknowledge"), ctx())
    assert outcome.effect.name == "acknowledge_check"


def test_practices_need_onboarding_first():
    outcome = route(None, Command("triggered"), ctx({}))
    assert outcome.session is None
    assert outcome.actions[0].keys == ("common.needs_onboarding",)


def test_the_menu_opens_each_practice_and_can_be_closed():
    menu = route(None, Command("practices"), ctx()).actions[-1]
    data = [button.data for row in menu.buttons for button in row]
    for command in ("triggered", "underneath", "acknowledge", "commit", "weekly"):
        assert menu_data(command) in data
    opened = route(at("practices", "menu"), MenuPress("triggered"), ctx())
    assert opened.session.flow == "triggered"
    closed = route(at("practices", "menu"), press("close"), ctx())
    assert closed.session is None and closed.actions[-1].keys == ("practices.closed",)


@pytest.mark.parametrize("command", ["menu", "help", "privacy", "sos", "start"])
def test_other_commands_keep_the_place_mid_practice(command):
    session = at("triggered", "other2")
    outcome = route(session, Command(command), ctx())
    assert outcome.session == session


def test_a_practice_can_be_revisited_from_the_start_at_any_time():
    outcome = route(at("triggered", "plan"), Command("triggered"), ctx())
    assert outcome.session.state == "ground" and outcome.session.data == {}


def test_crisis_words_are_not_taken_as_an_answer():
    session = at("triggered", "first_thought")
    outcome = route(session, TextInput("I want to die"), ctx())
    assert outcome.session == session
    assert outcome.actions[0].keys == ("crisis.acute_suicide", "crisis.numbers", "crisis.paused")


# ---------------------------------------------------------------- triggered


@pytest.mark.parametrize(
    ("state", "event", "next_state", "data"),
    [
        ("ground", press("steadier"), "when", {}),
        ("ground", press("support"), None, {}),
        ("when", press("now"), "first_thought", {"_when": "now"}),
        ("when", press("old"), "first_thought", {"_when": "old"}),
        ("when", press("unsure"), "first_thought", {"_when": "unsure"}),
        (
            "first_thought",
            TextInput("They're late, they must be lying"),
            "other1",
            {"_first_thought": "They're late, they must be lying"},
        ),
        ("other1", TextInput("Traffic"), "other2", {"_other1": "Traffic"}),
        ("other2", TextInput("Their phone died"), "other3", {"_other2": "Their phone died"}),
        ("other2", press("enough"), "plan", {}),
        (
            "other3",
            TextInput("They lost track of time"),
            "plan",
            {"_other3": "They lost track of time"},
        ),
        ("other3", press("enough"), "plan", {}),
        ("plan", TextInput("Wait an hour"), "save", {"_plan": "Wait an hour"}),
        ("offer", press("write"), "request", {}),
        ("offer", press("no"), None, {}),
        (
            "request",
            TextInput("Could you call me?"),
            "request_review",
            {"_request": "Could you call me?"},
        ),
        ("request_review", press("send"), "send_request", {}),
        ("request_review", press("rewrite"), "request", {}),
        ("request_review", press("keep"), "keep_request", {}),
    ],
)
def test_triggered_transitions(state, event, next_state, data):
    outcome = route(Session("triggered", state, 7, {}), event, ctx())
    assert (outcome.session.state if outcome.session else None) == next_state
    for name, value in data.items():
        assert outcome.session.data[name] == value
    assert outcome.remember == {}


@pytest.mark.parametrize(
    ("value", "reply"),
    [
        ("now", "practices.when_now_reply"),
        ("old", "practices.when_old_reply"),
        ("unsure", "practices.when_unsure_reply"),
    ],
)
def test_now_or_old_wound_each_gets_its_own_kind_reply(value, reply):
    outcome = route(at("triggered", "when"), press(value), ctx())
    keys = [a.keys for a in outcome.actions if isinstance(a, Say)]
    assert keys == [(reply,), ("practices.first_thought",)]


def test_an_old_wound_mentions_individual_therapy():
    assert "therapist" in catalog().plain("practices.when_old_reply")


def test_more_support_shows_the_crisis_resources_and_ends_kindly():
    outcome = route(at("triggered", "ground"), press("support"), ctx())
    assert outcome.session is None
    assert outcome.actions[-1].keys == ("practices.support", "sos", "practices.support_end")


def test_plan_saves_through_an_effect():
    outcome = route(at("triggered", "plan"), TextInput("Breathe and wait"), ctx())
    assert outcome.effect.name == "save_triggered"
    assert outcome.effect.data["_plan"] == "Breathe and wait"


@pytest.mark.parametrize(
    ("result", "state", "last_key"),
    [("private", None, "practices.triggered_end"), ("linked", "offer", "practices.offer")],
)
def test_saved_summary_reads_back_and_points_to_sos(result, state, last_key):
    outcome = after_effect(Session("triggered", "save", 7, DATA), result, {}, ctx())
    assert (outcome.session.state if outcome.session else None) == state
    say = outcome.actions[-1]
    assert say.keys == ("practices.summary", "practices.red_flags", last_key)
    text = rendered(outcome)
    for words in ("They must be lying", "Traffic", "Dead phone", "Wait an hour", "/sos"):
        assert words in text


def test_the_summary_lists_only_the_explanations_given():
    params = (
        FLOWS["triggered"]
        .state("saved")
        .params({"_first_thought": "a", "_other1": "b", "_plan": "c"}, ctx())
    )
    assert isinstance(params["others"], Listing)
    assert [item["text"] for item in params["others"].items] == ["b"]


def test_the_request_is_read_back_before_sending():
    outcome = route(at("triggered", "request"), TextInput("Please <b>call</b> me"), ctx())
    assert outcome.session.state == "request_review"
    text = rendered(outcome)
    assert "Please &lt;b&gt;call&lt;/b&gt; me" in text and "Alex" in text


@pytest.mark.parametrize(
    ("result", "key"),
    [("sent", "practices.request_sent"), ("refused", "practices.request_refused")],
)
def test_sending_the_request_ends_with_a_word_either_way(result, key):
    outcome = after_effect(Session("triggered", "send_request", 7, DATA), result, {}, ctx())
    assert outcome.session is None and outcome.actions[-1].keys == (key,)


def test_a_request_kept_unsent_says_so():
    outcome = after_effect(Session("triggered", "keep_request", 7, DATA), "ok", {}, ctx())
    assert outcome.actions[-1].keys == ("practices.request_kept",)


# ---------------------------------------------------------------- the partner's answer


def test_the_q_button_begins_reassure_with_a_check_from_the_rows():
    outcome = route(at("underneath", "more"), ItemPress("q", 12, "reply"), ctx())
    assert outcome.session.flow == "reassure" and outcome.session.state == "open"
    assert outcome.effect.name == "open_reassurance"
    assert outcome.effect.data == {"_item": 12, "_action": "reply"}


def test_the_q_button_needs_onboarding():
    outcome = route(None, ItemPress("q", 12, "reply"), ctx({}))
    assert outcome.session is None and outcome.actions == (Toast("common.unknown_button"),)


@pytest.mark.parametrize(
    ("result", "state", "key"),
    [
        ("ok", "write", "practices.reassure_write"),
        ("already", None, "practices.reassure_already"),
        ("refused", None, "practices.reassure_refused"),
        ("safety", None, "practices.reassure_safety"),
    ],
)
def test_opening_a_request(result, state, key):
    data = {"_request": "Tell me you're coming", "_who": "Sam"} if result == "ok" else {}
    outcome = after_effect(Session("reassure", "open", 1, {"_item": 3}), result, data, ctx())
    assert (outcome.session.state if outcome.session else None) == state
    assert outcome.actions[-1].keys == (key,)
    if result == "ok":
        assert "Tell me you're coming" in rendered(outcome)


@pytest.mark.parametrize(
    ("state", "event", "next_state"),
    [
        ("write", TextInput("I'm here. I'll be home at 7."), "review"),
        ("review", press("send"), "send"),
        ("review", press("rewrite"), "write"),
        ("review", press("later"), None),
    ],
)
def test_reassure_transitions(state, event, next_state):
    outcome = route(at("reassure", state), event, ctx())
    assert (outcome.session.state if outcome.session else None) == next_state


def test_the_reassurance_is_read_back():
    outcome = route(at("reassure", "write"), TextInput("I'm here"), ctx())
    assert "I'm here" in rendered(outcome) and "Sam" in rendered(outcome)


@pytest.mark.parametrize(
    ("result", "key"),
    [
        ("sent", "practices.reassure_sent"),
        ("already", "practices.reassure_already"),
        ("refused", "practices.reassure_refused"),
    ],
)
def test_sending_a_reassurance(result, key):
    outcome = after_effect(Session("reassure", "send", 7, DATA), result, {}, ctx())
    assert outcome.session is None and outcome.actions[-1].keys == (key,)


def test_q_buttons_fit_in_callback_data():
    assert len(item_data("q", 2**53, "reply").encode()) <= 64


# ---------------------------------------------------------------- under the anger


def test_feelings_toggle_in_place_and_done_needs_one():
    session = at("underneath", "feelings", _feelings=[])
    empty = route(session, press("done"), ctx())
    assert empty.session == session and empty.actions == (Toast("common.pick_one"),)
    on = route(session, press("fear"), ctx())
    assert on.session.data["_feelings"] == ["fear"] and on.session.seq == session.seq
    assert isinstance(on.actions[-1], EditButtons)
    done = route(on.session, press("done"), ctx())
    assert done.session.state == "more"
    assert done.actions[0].answer_labels == ("practices.feeling_fear",)


def test_something_else_asks_for_own_words_then_comes_back():
    session = at("underneath", "feelings", _feelings=["hurt"])
    other = route(session, press("other"), ctx())
    assert other.session.state == "other_feeling"
    back = route(other.session, TextInput("betrayed"), ctx())
    assert back.session.state == "feelings"
    assert back.session.data["_feelings"] == ["hurt", "other"]
    assert back.session.data["_other_feeling"] == "betrayed"


@pytest.mark.parametrize("event", [TextInput("It started last spring"), press("skip")])
def test_say_more_is_optional_and_then_saved(event):
    outcome = route(at("underneath", "more", _more=None), event, ctx())
    assert outcome.effect.name == "save_underneath"


def test_the_kind_reply_names_back_what_was_chosen():
    session = Session(
        "underneath",
        "save",
        7,
        {"_feelings": ["shame", "other", "hurt"], "_other_feeling": "foolish"},
    )
    outcome = after_effect(session, "ok", {}, ctx())
    assert outcome.session is None
    text = rendered(outcome)
    assert "hurt, shame, <i>foolish</i>" in text and "nothing was shared" in text


def test_nothing_named_still_reads_kindly():
    params = FLOWS["underneath"].state("named").params({}, ctx())
    assert params["feelings"] == (Label("practices.feeling_unnamed"),)


# ---------------------------------------------------------------- notice the follow-through


@pytest.mark.parametrize(
    ("result", "state", "key"),
    [
        ("ok", "write", "practices.ack_write"),
        ("not_linked", None, "practices.ack_not_linked"),
        ("safety", None, "practices.ack_safety"),
    ],
)
def test_acknowledge_depends_on_the_link_and_safety(result, state, key):
    data = {"_partner": "Alex"} if result == "ok" else {}
    outcome = after_effect(Session("acknowledge", "check", 1, {}), result, data, ctx())
    assert (outcome.session.state if outcome.session else None) == state
    assert outcome.actions[-1].keys == (key,)


def test_not_linked_offers_a_link_button():
    outcome = after_effect(Session("acknowledge", "check", 1, {}), "not_linked", {}, ctx())
    data = [button.data for row in outcome.actions[-1].buttons for button in row]
    assert data == [menu_data("link")]


def test_safety_yes_is_refused_gently_with_sos():
    outcome = after_effect(Session("acknowledge", "check", 1, {}), "safety", {}, ctx())
    assert "/sos" in rendered(outcome)


@pytest.mark.parametrize(
    ("state", "event", "next_state"),
    [
        ("write", TextInput("Thank you for calling at lunch"), "review"),
        ("review", press("send"), "send"),
        ("review", press("rewrite"), "write"),
        ("review", press("keep"), "keep"),
    ],
)
def test_acknowledge_transitions(state, event, next_state):
    outcome = route(at("acknowledge", state), event, ctx())
    assert outcome.session.state == next_state


@pytest.mark.parametrize(
    ("state", "result", "key"),
    [
        ("send", "sent", "practices.ack_sent"),
        ("send", "refused", "practices.ack_refused"),
        ("keep", "ok", "practices.ack_kept"),
    ],
)
def test_acknowledge_endings(state, result, key):
    outcome = after_effect(Session("acknowledge", state, 7, DATA), result, {}, ctx())
    assert outcome.session is None and outcome.actions[-1].keys == (key,)
