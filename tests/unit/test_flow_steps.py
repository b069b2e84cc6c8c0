"""Table-driven transitions of the onboarding and settings flows (pure, no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from flows import FLOWS
from flows.engine import (
    CUT,
    TYPED_AT,
    ButtonPress,
    CloseQuestion,
    Context,
    EditButtons,
    LocationInput,
    MediaInput,
    Say,
    Session,
    TextInput,
    Toast,
)
from flows.router import Command, EditedMessage, MenuPress, UnknownPress, route
from flows.stepping import begin

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Europe/Berlin moves to summer time


def ctx(profile=None) -> Context:
    return Context(
        now=NOW,
        profile=profile or {},
        find_zone_by_name=lambda text: {"berlin": "Europe/Berlin"}.get(text.lower()),
        find_zone_at=lambda lat, lon: "Europe/Berlin" if lat > 0 else None,
    )


def at(state: str, flow: str = "onboarding", **data) -> Session:
    return Session(flow=flow, state=state, seq=7, data=data)


def press(value: str, seq: int = 7) -> ButtonPress:
    return ButtonPress(seq=seq, value=value, message_id=41)


@pytest.mark.parametrize(
    ("state", "event", "next_state", "remembered"),
    [
        ("welcome", press("begin"), "consent", {}),
        ("welcome", press("later"), None, {}),
        ("consent", press("privacy"), "consent", {}),
        ("consent", press("no"), None, {}),
        ("role", press("hurt"), "causes", {"role": "hurt"}),
        ("role", press("broke"), "causes", {"role": "broke"}),
        ("causes", press("other"), "cause_other", {}),
        ("cause_other", TextInput("gaslighting"), "causes", {"cause_other": "gaslighting"}),
        ("hopes", press("rebuild"), "safety", {"hopes": "rebuild"}),
        ("hopes", TextInput("  to feel safe again "), "safety", {"hopes": "to feel safe again"}),
        ("safety", press("yes"), "safety_support", {"safety": "yes"}),
        ("safety", press("no"), "zone", {"safety": "no"}),
        ("safety", press("unsure"), "safety_unsure", {"safety": "unsure"}),
        ("safety_support", press("continue"), "zone", {}),
        ("zone", TextInput("Berlin"), "zone_confirm", {}),
        ("zone", LocationInput(52.5, 13.4), "zone_confirm", {}),
        ("zone", press("Asia/Tokyo"), "zone_confirm", {}),
        ("zone", TextInput("Atlantis"), "zone", {}),
        ("zone", LocationInput(-10, -30), "zone", {}),
        ("zone_confirm", press("no"), "zone", {}),
        ("reminder", press("20:00"), None, {"reminder_time": "20:00", "onboarded": True}),
        ("reminder", press("off"), None, {"reminder_time": "off", "onboarded": True}),
        ("reminder", press("custom"), "reminder_custom", {}),
        (
            "reminder_custom",
            TextInput("7.45pm"),
            None,
            {"reminder_time": "19:45", "onboarded": True},
        ),
        ("reminder_custom", TextInput("25:99"), "reminder_custom", {}),
    ],
)
def test_onboarding_transitions(state, event, next_state, remembered):
    outcome = route(at(state, _zone="Europe/Berlin"), event, ctx({"consent": "yes"}))
    assert (outcome.session.state if outcome.session else None) == next_state
    assert dict(outcome.remember) == remembered


def test_zone_confirmation_copies_the_draft_and_shows_local_time():
    session = at("zone", _zone=None)
    confirm = route(session, TextInput("berlin"), ctx({"consent": "yes"}))
    say = confirm.actions[-1]
    assert isinstance(say, Say) and say.keys == ("onboarding.zone_confirm",)
    assert say.params["local_time"] == "01:30"  # 00:30 UTC is 01:30 in Berlin before the change
    yes = route(
        confirm.session, ButtonPress(confirm.session.seq, "yes", 3), ctx({"consent": "yes"})
    )
    assert yes.remember == {"time_zone": "Europe/Berlin"}
    assert yes.session.state == "reminder"


def test_multi_select_toggles_in_place_and_done_keeps_the_list():
    session = at("causes")
    on = route(session, press("dishonesty"), ctx({"consent": "yes"}))
    assert on.session.data["causes"] == ["dishonesty"]
    assert isinstance(on.actions[-1], EditButtons)
    assert on.session.seq == session.seq  # the same question; its buttons stay live
    off = route(on.session, press("dishonesty"), ctx({"consent": "yes"}))
    assert off.session.data["causes"] == []
    empty_done = route(off.session, press("done"), ctx({"consent": "yes"}))
    assert empty_done.session.state == "causes" and isinstance(empty_done.actions[0], Toast)
    two = route(route(off.session, press("financial"), ctx()).session, press("jealousy"), ctx())
    done = route(two.session, press("done"), ctx({"consent": "yes"}))
    assert done.remember == {"causes": ["financial", "jealousy"]}
    closed = [a for a in done.actions if isinstance(a, CloseQuestion)]
    assert closed and closed[0].answer_labels == ("causes.financial", "causes.jealousy")


def test_nothing_is_remembered_before_consent():
    outcome = route(at("role"), press("hurt"), ctx({}))
    assert outcome.remember == {}
    assert outcome.session.data["role"] == "hurt"


@pytest.mark.parametrize("state", list(FLOWS["onboarding"].states))
@pytest.mark.parametrize(
    "event",
    [
        MediaInput("sticker"),
        TextInput(""),
        TextInput("x" * 10_000),
        EditedMessage(),
        UnknownPress(),
        press("no-such-button"),
        press("begin", seq=3),
    ],
)
def test_bad_input_never_moves_the_flow(state, event):
    session = at(state, _zone="Europe/Berlin")
    outcome = route(session, event, ctx({"consent": "yes"}))
    # Over-long words stay on offer (the part that fits), not yet an answer.
    offered = {k: v for k, v in outcome.session.data.items() if k not in (CUT, TYPED_AT)}
    assert replace(outcome.session, data=offered) == session
    assert outcome.remember == {}
    assert outcome.actions, "bad input always gets a reply"


def test_stale_button_says_so_and_repeats_the_question():
    outcome = route(at("role"), press("hurt", seq=2), ctx())
    assert isinstance(outcome.actions[0], Toast)
    assert outcome.actions[0].key == "common.stale_button"
    assert outcome.actions[-1].keys == ("onboarding.role",)


@pytest.mark.parametrize("command", ["sos", "help", "privacy", "menu", "nonsense"])
def test_commands_mid_flow_keep_the_place(command):
    session = at("hopes")
    outcome = route(session, Command(command), ctx({"consent": "yes"}))
    assert outcome.session == session
    assert outcome.actions


def test_sos_comes_first_even_mid_flow():
    outcome = route(at("hopes"), Command("sos"), ctx())
    assert outcome.actions[0].keys == ("sos",)


def test_crisis_words_route_to_resources_without_storing_them():
    session = at("hopes")
    outcome = route(session, TextInput("Honestly I want to die"), ctx({"consent": "yes"}))
    assert outcome.session == session
    assert outcome.remember == {}
    assert outcome.actions[0].keys == ("crisis.acute_suicide", "crisis.numbers", "crisis.paused")


def test_cancel_ends_the_flow_and_keeps_answers():
    outcome = route(at("hopes", role="hurt"), Command("cancel"), ctx({"consent": "yes"}))
    assert outcome.session is None
    assert outcome.remember == {}


def test_settings_needs_onboarding_then_opens_its_menu():
    refused = route(None, Command("settings"), ctx({}))
    assert refused.session is None
    opened = route(None, Command("settings"), ctx({"onboarded": True, "consent": "yes"}))
    assert opened.session.flow == "settings" and opened.session.state == "menu"


def test_settings_answers_return_to_the_menu():
    profile = {"onboarded": True, "consent": "yes", "role": "hurt"}
    outcome = route(at("role", flow="settings"), press("both"), ctx(profile))
    assert outcome.session.state == "menu"
    assert outcome.remember == {"role": "both"}
    summary = outcome.actions[-1].params
    assert summary["role"].key == "answers.role.both"


def test_menu_button_runs_the_command():
    outcome = route(None, MenuPress("sos"), ctx({"onboarded": True}))
    assert any(isinstance(a, Say) and a.keys == ("sos",) for a in outcome.actions)


def test_finishing_onboarding_shows_the_menu():
    outcome = route(at("reminder"), press("08:00"), ctx({"consent": "yes"}))
    assert outcome.session is None
    assert outcome.actions[-1].keys[0] == "menu.text"


def test_safety_yes_puts_a_note_on_the_menu():
    outcome = route(None, Command("menu"), ctx({"onboarded": True, "safety": "yes"}))
    assert "menu.safety_note" in outcome.actions[0].keys


def test_start_resumes_a_flow_in_progress():
    session = at("safety")
    outcome = route(session, Command("start"), ctx())
    assert outcome.session == session
    assert outcome.actions[-1].keys == ("onboarding.safety",)


def test_begin_starts_at_welcome():
    outcome = begin(FLOWS["onboarding"], ctx())
    assert outcome.session.state == "welcome" and outcome.session.seq == 1


def test_a_flow_left_for_another_is_parked_with_its_words_and_picked_up_again():
    profile = {"consent": "yes", "onboarded": True}
    writing = Session("commit", "days", 3, {"_text": "I text when I'm late"})
    away = route(writing, Command("agreements"), ctx(profile))
    parked = away.remember["parked"]
    assert parked["commit"]["data"]["_text"] == "I text when I'm late"
    assert away.actions[0] == Say(("common.put_aside_kept",), {"command": "/commit"})

    back = route(away.session, Command("commit"), ctx({**profile, "parked": parked}))
    assert back.session == writing
    assert back.actions[0].keys == ("common.picked_up",)
    assert back.actions[-1].keys == ("commit.days",)
    assert back.remember["parked"] == {}  # picked up: no longer parked


def test_a_flow_with_nothing_typed_is_not_parked():
    profile = {"consent": "yes", "onboarded": True}
    choosing = Session("commitments", "overview", 2, {"_items": []})
    left = route(choosing, Command("commit"), ctx(profile))
    assert "parked" not in left.remember
    # Only looking at a list: nothing to say about leaving it.
    assert left.actions[0].keys == ("commit.wording",)


def test_leaving_a_question_with_nothing_typed_says_how_to_start_it_again():
    profile = {"consent": "yes", "onboarded": True}
    asked = Session("commit", "wording", 1, {})
    left = route(asked, Command("weekly"), ctx(profile))
    assert left.actions[0] == Say(("common.put_aside_fresh",), {"command": "/commit"})
    # A flow with no command of its own (answering a proposal) is reached by its buttons.
    answering = Session("respond", "put_off", 1, {})
    left = route(answering, Command("weekly"), ctx(profile))
    assert left.actions[0].keys == ("common.put_aside_other",)
