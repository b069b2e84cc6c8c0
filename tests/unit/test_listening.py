"""Table tests of the deep-listening flow (pure, no I/O); bad input at every question is in
test_every_state."""

from __future__ import annotations

import pytest

from flows import FLOWS
from flows.engine import Say, TextInput
from flows.listening import MAX_PART_CHARS, MAX_REFLECTION_CHARS
from flows.router import after_effect, route
from flows.stepping import begin
from tests.unit.test_flow_steps import at, ctx, press

LISTEN = FLOWS["listen"]
PROFILE = {"consent": "yes", "onboarded": True}


def here(state: str, **data):
    return at(state, flow="listen", _partner="Alex", **data)


def test_opening_remembers_step_two_and_asks_the_database_where_it_stands():
    outcome = begin(LISTEN, ctx(PROFILE))
    assert outcome.effect.name == "open_listening"
    assert outcome.remember == {"step": "2"}


@pytest.mark.parametrize(
    ("result", "state"),
    [
        ("solo", "solo_intro"),
        ("unsafe", "unsafe_intro"),
        ("begin", "intro"),
        ("your_turn", "your_turn"),
        ("writing", "resume_writing"),
        ("waiting", "waiting"),
        ("reflect", "reflect_intro"),
        ("reflect_now", "hear"),
        ("answer", "answer"),
        ("partly", "missed"),
        ("notyet", "missed"),
        ("pause", "pause_confirm"),
        ("paused", "paused"),
        ("stale", "stale"),
        ("ended", None),
        ("refused", None),
    ],
)
def test_each_place_in_the_exercise_opens_its_own_question(result, state):
    opened = begin(LISTEN, ctx(PROFILE))
    outcome = after_effect(opened.session, result, {"_partner": "Alex"}, ctx(PROFILE))
    assert (outcome.session.state if outcome.session else None) == state


@pytest.mark.parametrize(
    ("state", "event", "next_state"),
    [
        ("intro", press("begin"), "write"),
        ("intro", press("later"), None),
        ("write", TextInput("It hurt to find out that way."), "save_part"),
        ("written", TextInput("And I still think about it."), "save_part"),
        ("written", press("read"), "readback"),
        ("resume_writing", press("more"), "write"),
        ("resume_writing", press("restart"), "confirm_restart"),
        ("confirm_restart", press("keep"), "readback"),
        ("review", press("send"), "confirm_send"),
        ("review", press("keep"), None),
        ("confirm_send", press("send"), "send"),
        ("confirm_send", press("keep"), None),
        ("reflect_intro", press("reflect"), "hear"),
        ("reflect_intro", press("pause"), "pause_confirm"),
        ("hear", TextInput("What I hear is that it shook you."), "validate"),
        ("validate", TextInput("It makes sense, because I hid it."), "imagine"),
        ("imagine", press("skip"), "reflection_review"),
        ("imagine", TextInput("Alone and unsure."), "reflection_review"),
        ("reflection_review", press("again"), "hear"),
        ("reflection_review", press("send"), "send_reflection"),
        ("answer", press("heard"), "mark_heard"),
        ("answer", press("partly"), "missed"),
        ("answer", press("pause"), "pause_confirm"),
        ("missed", TextInput("The part about our past."), "send_missed"),
        ("heard", press("swap"), "offer_swap"),
        ("pause_confirm", press("words"), "pause_words"),
        ("pause_confirm", press("back"), "reopen"),
        ("pause_words", TextInput("I need a day."), "pause_review"),
        ("pause_review", press("plain"), "pause_plain"),
        ("pause_review", press("send"), "pause"),
        ("paused", press("resume"), "resume"),
        ("stale", press("open"), "reopen"),
        ("solo_intro", press("begin"), "solo_write"),
        ("solo_write", TextInput("That I need honesty."), "solo_sample"),
        ("solo_sample", TextInput("What I hear is..."), "save_solo"),
    ],
)
def test_transitions(state, event, next_state):
    outcome = route(here(state), event, ctx(PROFILE))
    assert (outcome.session.state if outcome.session else None) == next_state


def test_going_back_to_where_it_stands_forgets_the_button_that_led_here():
    outcome = route(here("stale", _item=5, _action="heard"), press("open"), ctx(PROFILE))
    assert outcome.effect.name == "open_listening"
    assert outcome.session.data["_item"] is None and outcome.session.data["_action"] is None


def test_a_part_too_long_for_one_message_keeps_what_fits_on_offer_and_stays():
    session = here("write")
    outcome = route(session, TextInput("x" * (MAX_PART_CHARS + 1)), ctx(PROFILE))
    assert outcome.session.state == "write" and outcome.remember == {}
    assert outcome.actions[0].keys == ("common.too_long_cut",)
    long_reflection = TextInput("y" * (MAX_REFLECTION_CHARS + 1))
    assert route(here("hear"), long_reflection, ctx(PROFILE)).session.state == "hear"


def test_the_reflection_read_back_shows_all_three_parts():
    session = here("imagine", _hear="What I hear is A.", _validate="It makes sense B.")
    outcome = route(session, TextInput("Lonely C."), ctx(PROFILE))
    question = outcome.actions[-1]
    assert isinstance(question, Say)
    assert question.params["hear"] == "What I hear is A."
    assert question.params["imagine"] == "Lonely C."
