"""Every question of every flow, met with every kind of input that is not its answer.

One table for all flows (pure, no I/O): media, a stale button, a button the
question never offered, words where only buttons fit, and empty or too long
words where words are asked for. Each gets a kind reply and moves nothing;
a stale button also asks the question again. Every prompt renders even with
no drafts at all (a session picked up after a restart may have none).
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from bot.telegram.render import Renderer
from content import catalog, check_telegram_html
from flows import FLOWS
from flows.engine import (
    CUT,
    KEEP_CUT,
    ButtonPress,
    Context,
    MediaInput,
    Say,
    Session,
    TextInput,
    Toast,
)
from flows.router import MenuPress, route

NOW = datetime(2026, 5, 4, 19, 0, tzinfo=UTC)
PROFILE = {"onboarded": True, "consent": "yes", "safety": "no", "role": "broke"}
# Every question a session can rest on: it asks something and does not end.
QUESTIONS = [
    (flow.name, state.name)
    for flow in FLOWS.values()
    for state in flow.states.values()
    if not state.effect and not state.ends
]
TYPED = [(flow, state) for flow, state in QUESTIONS if FLOWS[flow].state(state).text]


def ctx() -> Context:
    return Context(
        now=NOW,
        profile=PROFILE,
        find_zone_by_name=lambda _: None,
        find_zone_at=lambda _lat, _lon: None,
    )


def at(flow: str, state: str) -> Session:
    return Session(flow=flow, state=state, seq=7, data={})


def press(value: str, seq: int = 7) -> ButtonPress:
    return ButtonPress(seq=seq, value=value, message_id=41)


@pytest.mark.parametrize(("flow", "state"), QUESTIONS)
def test_media_is_answered_and_changes_nothing(flow, state):
    session = at(flow, state)
    outcome = route(session, MediaInput("sticker"), ctx())
    assert outcome.session == session and outcome.remember == {}
    assert outcome.actions == (Say(("common.unsupported_input",)),)


@pytest.mark.parametrize(("flow", "state"), QUESTIONS)
def test_a_stale_button_says_so_and_asks_again_in_words_that_render(flow, state):
    session = at(flow, state)
    options = FLOWS[flow].state(state).options
    outcome = route(session, press(options[0].value if options else "x", seq=3), ctx())
    assert outcome.session == session and outcome.remember == {}
    assert outcome.actions[0] == Toast("common.stale_button")
    question = outcome.actions[-1]
    assert isinstance(question, Say) and question.keys == FLOWS[flow].state(state).prompt
    for call in Renderer(catalog()).render(question, chat_id=1):
        assert not check_telegram_html(call.params.get("text") or call.params.get("caption", ""))


@pytest.mark.parametrize(("flow", "state"), QUESTIONS)
def test_a_button_the_question_never_offered_changes_nothing(flow, state):
    session = at(flow, state)
    outcome = route(session, press("forged"), ctx())
    assert outcome.session == session and outcome.remember == {}
    assert outcome.actions == (Toast("common.unknown_button"),)


@pytest.mark.parametrize(("flow", "state"), QUESTIONS)
def test_words_move_on_only_where_words_are_asked_for(flow, state):
    definition = FLOWS[flow].state(state)
    session = at(flow, state)
    outcome = route(session, TextInput("some honest words"), ctx())
    if definition.text is None:
        assert outcome.session.state == session.state and outcome.remember == {}
        assert outcome.actions == (Say(("common.use_buttons",)),)
        # Typed again and again: the question comes back once, then short lines, varied.
        replies = []
        for _ in range(5):
            outcome = route(outcome.session, TextInput("more words"), ctx())
            assert outcome.session.state == session.state and outcome.remember == {}
            replies.append(outcome.actions)
        assert replies[0][0].keys == ("common.use_buttons_again",)
        assert replies[0][-1].keys == definition.prompt
        assert all(a != b for a, b in pairwise(replies))
    elif definition.text.parse is None:  # any words are an answer here
        goto = definition.text.goto
        landed = outcome.session.state if outcome.session else None
        assert landed == (None if FLOWS[flow].state(goto).ends else goto)


@pytest.mark.parametrize(("flow", "state"), TYPED)
def test_empty_words_are_asked_again_and_nothing_kept(flow, state):
    session = at(flow, state)
    outcome = route(session, TextInput("   "), ctx())
    assert outcome.session == session and outcome.remember == {}
    assert outcome.actions[0].keys == ("common.empty_text",)


# Words over the limit: what fits is offered as the answer (one tap takes it), or, where
# the words must be read as something (a time, a place, a code), they are asked again.
@pytest.mark.parametrize(("flow", "state"), TYPED)
def test_too_long_words_keep_what_fits_on_offer_and_nothing_is_kept_yet(flow, state):
    definition = FLOWS[flow].state(state)
    session = at(flow, state)
    outcome = route(session, TextInput("word " * definition.text.max_chars), ctx())
    assert outcome.remember == {} and outcome.session.state == session.state
    if definition.text.parse is not None:
        assert outcome.session == session
        assert outcome.actions[0].keys == ("common.too_long",)
        return
    assert outcome.actions[0].keys == ("common.too_long_cut",)
    kept = outcome.session.data[CUT]
    assert len(kept) <= definition.text.max_chars and kept.endswith("word")
    taken = route(outcome.session, press(KEEP_CUT, seq=session.seq), ctx())
    typed = route(session, TextInput(kept), ctx())
    assert (taken.session, taken.remember) == (typed.session, typed.remember)
    assert taken.actions[1:] == typed.actions


# Every question that takes words: an acute message pauses it, a concern asks first, and
# both lead back to exactly that question, which then takes the next words as its answer.
@pytest.mark.parametrize(("flow", "state"), [t for t in TYPED if t[0] != "safetyplan"])
def test_danger_mid_question_leads_back_to_exactly_that_question(flow, state):
    session = at(flow, state)
    paused = route(session, TextInput("i took all my pills an hour ago"), ctx())
    assert paused.session == session and paused.remember == {}
    assert paused.actions[0].keys[0] == "crisis.acute_overdose_injury"
    resumed = route(paused.session, MenuPress("resume"), ctx())
    assert resumed.session == session
    assert resumed.actions[-1].keys == FLOWS[flow].state(state).prompt

    check = route(session, TextInput("honestly what is the point of living"), ctx()).session
    assert check.flow == "check"
    back = route(check, press("no", seq=check.seq), ctx())
    assert back.session == session
    assert back.actions[-1].keys == FLOWS[flow].state(state).prompt
