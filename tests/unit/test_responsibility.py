"""Step 1 as a table: every state with every kind of input, every effect result, and the
gentle excuse check (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.telegram.render import Renderer
from content import catalog, visible_length
from flows import FLOWS
from flows.engine import (
    DONE,
    ButtonPress,
    CloseQuestion,
    Context,
    EditButtons,
    Say,
    Session,
    TextInput,
    Toast,
)
from flows.responsibility import (
    MAX_PART_CHARS,
    MAX_STORY_CHARS,
    RESPONSIBILITY,
    THEN_HURT,
    find_excuse,
)
from flows.router import Command, after_effect, route

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
PROFILE = {"onboarded": True, "consent": "yes", "role": "broke"}
FLOW = RESPONSIBILITY
QUESTIONS = sorted(n for n, s in FLOW.states.items() if not s.effect and not s.ends)
EFFECTS = sorted(n for n, s in FLOW.states.items() if s.effect)
ENDINGS = sorted(n for n, s in FLOW.states.items() if s.ends)


def ctx(profile=None) -> Context:
    return Context(now=NOW, profile=PROFILE if profile is None else profile)


def at(state: str, **data) -> Session:
    return Session(flow="responsibility", state=state, seq=5, data=data)


def press(value: str, seq: int = 5) -> ButtonPress:
    return ButtonPress(seq=seq, value=value, message_id=77)


def where(outcome) -> str | None:
    return outcome.session.state if outcome.session else None


def test_the_flow_is_registered_under_its_command():
    assert FLOWS["responsibility"] is FLOW


def test_opening_remembers_step_one_and_asks_the_database_where_to_start():
    outcome = route(None, Command("responsibility"), ctx())
    assert where(outcome) == "open"
    assert outcome.effect is not None and outcome.effect.name == "step1_open"
    assert dict(outcome.remember) == {"step": "1"}


# ---------------------------------------------------------------- questions


@pytest.mark.parametrize(
    ("state", "event", "next_state"),
    [
        ("which", press("broke"), "broke_intro"),
        ("which", press("hurt"), "hurt_intro"),
        ("which", press("both"), "both_intro"),
        ("revisit", press("look"), None),
        ("revisit", press("again"), "path"),
        ("revisit", press("later"), None),
        ("revisit_share", press("share"), "confirm_saved"),
        ("revisit_share", press("look"), None),
        ("revisit_share", press("again"), "path"),
        ("revisit_share", press("later"), None),
        ("both_intro", press("begin"), "what"),
        ("both_intro", press("needs_first"), "hurt_intro"),
        ("both_intro", press("later"), None),
        ("broke_intro", press("begin"), "what"),
        ("broke_intro", press("later"), None),
        ("what", TextInput("I hid messages from you"), "impact"),
        ("impact", TextInput("You stopped feeling safe"), "own"),
        ("what", TextInput("I lied, but only because you were never home"), "what_check"),
        ("what_check", press("rewrite"), "what"),
        ("what_check", press("keep"), "impact"),
        ("what_check", TextInput("I hid messages from you"), "impact"),
        ("impact", TextInput("It was only a few messages"), "impact_check"),
        ("impact_check", press("keep"), "own"),
        ("own", TextInput("I lied to you"), "change"),
        ("own", TextInput("I lied because you ignored me"), "own_check"),
        ("own_check", press("rewrite"), "own"),
        ("own_check", press("keep"), "change"),
        ("change", TextInput("I will try to be more honest"), "change_seen"),
        ("change_seen", TextInput("I show you my phone when you ask"), "offer_commit"),
        ("change_seen", press("keep"), "offer_commit"),
        *(
            (f"{state}_check", press("rewrite"), state)
            for state in ("impact", "ack", "accept", "edit_ack", "edit_accept")
        ),
        *(
            (f"{state}_check", press("keep"), goto)
            for state, goto in (
                ("ack", "accept"),
                ("accept", "actions"),
                ("edit_ack", "apology_ready"),
                ("edit_accept", "apology_ready"),
            )
        ),
        ("change", TextInput("I show you my phone when you ask"), "offer_commit"),
        ("offer_commit", press("yes"), "days"),
        ("offer_commit", press("no"), "ack"),
        ("days", press("every"), "save_commit"),
        ("days", press("weekdays"), "save_commit"),
        ("days", press("choose"), "pick_days"),
        ("pick_days", press("2"), "pick_days"),
        ("visibility", press("yes"), "set_visibility"),
        ("visibility", press("no"), "commit_saved"),
        ("commit_saved", press("go_on"), "ack"),
        ("ack", TextInput("I know I broke your trust"), "accept"),
        ("accept", TextInput("It was my choice"), "actions"),
        ("accept", press("earlier"), "actions"),
        ("actions", TextInput("Phone face up"), "signs"),
        ("actions", press("earlier"), "signs"),
        ("signs", TextInput("You will see me home on time"), "apology_ready"),
        ("apology_review", press("share"), "broke_share"),
        ("apology_review", press("change"), "change_part"),
        ("apology_review", press("keep"), "broke_keep"),
        ("apology_review_private", press("keep"), "broke_keep"),
        ("apology_review_private", press("change"), "change_part"),
        ("change_part", press("ack"), "edit_ack"),
        ("change_part", press("accept"), "edit_accept"),
        ("change_part", press("actions"), "edit_actions"),
        ("change_part", press("signs"), "edit_signs"),
        ("change_part", press("back"), "apology_ready"),
        ("edit_ack", TextInput("Again, the damage"), "apology_ready"),
        ("edit_accept", TextInput("Again, mine"), "apology_ready"),
        ("edit_actions", TextInput("Again, the actions"), "apology_ready"),
        ("edit_signs", TextInput("Again, the signs"), "apology_ready"),
        ("confirm_share", press("send"), "send_apology"),
        ("confirm_share", press("not_now"), "broke_keep"),
        ("confirm_saved", press("send"), "send_apology"),
        ("confirm_saved", press("not_now"), None),
        *(
            (f"{end}{THEN_HURT}", press("go_on"), "hurt_intro")
            for end in ("apology_sent", "apology_kept", "apology_saved", "apology_private")
        ),
        *(
            (f"{end}{THEN_HURT}", press("later"), None)
            for end in ("apology_sent", "apology_kept", "apology_saved", "apology_private")
        ),
        ("hurt_intro", press("go_on"), "needs"),
        ("hurt_intro", press("later"), None),
        ("needs", press("space"), "needs"),
        ("needs_words", TextInput("Tell me when plans change"), "request_ready"),
        ("request_review", press("share"), "hurt_share"),
        ("request_review", press("change"), "needs"),
        ("request_review", press("keep"), "hurt_keep"),
        ("request_review_private", press("keep"), "hurt_keep"),
        ("request_review_private", press("change"), "needs"),
        ("confirm_request", press("send"), "send_request"),
        ("confirm_request", press("not_now"), "hurt_keep"),
    ],
)
def test_transitions(state, event, next_state):
    outcome = route(at(state, _needs=["space"], _own="mine", _change="act"), event, ctx())
    assert where(outcome) == next_state
    if next_state in EFFECTS:
        assert outcome.effect is not None
        assert outcome.effect.name == FLOW.state(next_state).effect
    assert not outcome.remember, "step 1 keeps its words in the session and the database"


def test_the_table_covers_every_question_and_every_button():
    covered = {(state, value) for state, value in _pressed()}
    for name in QUESTIONS:
        for option in FLOW.state(name).options:
            if name == "pick_days" and option.value not in ("2", DONE):
                continue  # weekdays are alike
            if name == "needs" and option.value not in ("space", DONE):
                continue  # so are the needs
            assert (name, option.value) in covered or option.value == DONE, (name, option)


def _pressed():
    table = test_transitions.pytestmark[0].args[1]
    return [(state, event.value) for state, event, _ in table if isinstance(event, ButtonPress)]


@pytest.mark.parametrize("state", ENDINGS)
def test_endings_close_the_session(state):
    outcome = route(at("revisit"), press("later"), ctx()) if state == "later" else None
    assert FLOW.state(state).ends and not FLOW.state(state).options
    if outcome is not None:
        assert outcome.session is None and outcome.finished


@pytest.mark.parametrize(
    ("state", "text"),
    [
        ("what", "x" * (MAX_STORY_CHARS + 1)),
        ("ack", "x" * (MAX_PART_CHARS + 1)),
        ("change", "x" * 301),
        ("needs_words", "x" * 601),
        ("own", "   "),
    ],
)
def test_too_long_or_empty_words_are_asked_again_and_nothing_kept(state, text):
    outcome = route(at(state), TextInput(text), ctx())
    assert where(outcome) == state
    # Too long: the part that fits is offered, not yet taken as the answer.
    assert outcome.actions[0].keys[0] in ("common.too_long_cut", "common.empty_text")
    assert f"_{state}" not in outcome.session.data


def test_commands_and_crisis_words_mid_flow():
    outcome = route(at("ack", _own="mine"), TextInput("I want to die"), ctx())
    assert where(outcome) == "ack" and "_ack" not in outcome.session.data
    outcome = route(at("ack"), Command("sos"), ctx())
    assert where(outcome) == "ack"
    outcome = route(at("ack"), Command("cancel"), ctx())
    assert outcome.session is None


# ---------------------------------------------------------------- effect results


@pytest.mark.parametrize(
    ("state", "result", "next_state"),
    [
        ("open", "broke", "broke_intro"),
        ("open", "hurt", "hurt_intro"),
        ("open", "both", "both_intro"),
        ("open", "private", "which"),
        ("open", "revisit", "revisit"),
        ("open", "revisit_share", "revisit_share"),
        ("path", "broke", "broke_intro"),
        ("path", "hurt", "hurt_intro"),
        ("path", "both", "both_intro"),
        ("path", "private", "which"),
        ("save_commit", "saved", "commit_saved"),
        ("save_commit", "linked", "visibility"),
        ("set_visibility", "ok", "commit_saved"),
        ("set_visibility", "refused", "commit_saved"),
        ("apology_ready", "shareable", "apology_review"),
        ("apology_ready", "private", "apology_review_private"),
        ("broke_share", "confirm", "confirm_share"),
        ("broke_share", "unlinked", "apology_saved"),
        ("broke_share", "unlinked" + THEN_HURT, "apology_saved" + THEN_HURT),
        ("broke_share", "unsafe", "apology_private"),
        ("broke_share", "unsafe" + THEN_HURT, "apology_private" + THEN_HURT),
        ("send_apology", "sent", "apology_sent"),
        ("send_apology", "sent" + THEN_HURT, "apology_sent" + THEN_HURT),
        ("send_apology", "unlinked", "apology_saved"),
        ("send_apology", "unlinked" + THEN_HURT, "apology_saved" + THEN_HURT),
        ("send_apology", "unsafe", "apology_private"),
        ("send_apology", "unsafe" + THEN_HURT, "apology_private" + THEN_HURT),
        ("broke_keep", "kept", "apology_kept"),
        ("broke_keep", "kept" + THEN_HURT, "apology_kept" + THEN_HURT),
        ("request_ready", "shareable", "request_review"),
        ("request_ready", "private", "request_review_private"),
        ("hurt_share", "confirm", "confirm_request"),
        ("hurt_share", "unlinked", "request_saved"),
        ("hurt_share", "unsafe", "request_private"),
        ("send_request", "sent", "request_sent"),
        ("send_request", "unlinked", "request_saved"),
        ("send_request", "unsafe", "request_private"),
        ("hurt_keep", "kept", "request_kept"),
    ],
)
def test_effect_results(state, result, next_state):
    outcome = after_effect(at(state), result, {"_partner": "Alex"}, ctx())
    assert next_state == (where(outcome) or _ended_at(state, result))


def _ended_at(state: str, result: str) -> str:
    return FLOW.state(state).on_result[result]


def test_every_effect_result_is_in_the_table():
    table = test_effect_results.pytestmark[0].args[1]
    covered = {(state, result) for state, result, _ in table}
    for name in EFFECTS:
        for result in FLOW.state(name).on_result:
            assert (name, result) in covered, (name, result)


def test_an_ending_that_leads_on_is_offered_only_on_the_both_path():
    outcome = after_effect(at("broke_keep"), "kept" + THEN_HURT, {}, ctx())
    assert where(outcome) == "apology_kept" + THEN_HURT
    outcome = after_effect(at("broke_keep"), "kept", {}, ctx())
    assert outcome.session is None and outcome.finished


# ---------------------------------------------------------------- what is shown and copied


def _text_of(say: Say) -> str:
    return "".join(call.params["text"] for call in Renderer(catalog()).render(say, 1))


def test_the_excuse_is_reflected_back_kindly_with_a_choice():
    outcome = route(at("own"), TextInput("I lied, BUT you were never home."), ctx())
    assert where(outcome) == "own_check"
    shown = _text_of(outcome.actions[-1])
    assert "“but”" in shown and "I lied, BUT you were never home." in shown
    assert "reason that is meant to make it all right" in shown
    labels = [b.label for row in outcome.actions[-1].buttons for b in row]
    assert labels == ["responsibility.rewrite", "responsibility.keep_as_is"]


@pytest.mark.parametrize(
    "state", ["what", "impact", "own", "ack", "accept", "edit_ack", "edit_accept"]
)
def test_every_answer_where_an_excuse_can_hide_is_looked_at_once(state):
    excuse = "I did it but only because you were never home"
    checked = route(at(state), TextInput(excuse), ctx())
    assert where(checked) == f"{state}_check"
    shown = _text_of(checked.actions[-1])
    assert "“because you”" in shown and "blame is being handed back" in shown
    again = route(checked.session, press("rewrite", seq=checked.session.seq), ctx())
    assert where(again) == state
    goes_on = route(again.session, TextInput(excuse), ctx())
    assert where(goes_on) not in (state, f"{state}_check")
    assert (
        goes_on.session is None or goes_on.session.data[f"_{state.removeprefix('edit_')}"] == excuse
    )


def test_an_excuse_rewritten_at_the_check_is_the_answer():
    checked = route(at("accept"), TextInput("It was my choice, but you pushed me away"), ctx())
    outcome = route(checked.session, TextInput("It was my choice, and mine alone."), ctx())
    assert where(outcome) == "actions"
    assert outcome.session.data["_accept"] == "It was my choice, and mine alone."


def test_a_vague_change_is_asked_once_for_something_that_can_be_seen():
    asked = route(at("change"), TextInput("I will try to be more honest"), ctx())
    assert where(asked) == "change_seen"
    shown = _text_of(asked.actions[-1])
    assert "What would your partner see you do" in shown and "I will try to be more honest" in shown
    kept = route(asked.session, press("keep", seq=asked.session.seq), ctx())
    assert where(kept) == "offer_commit"
    assert kept.session.data["_change"] == "I will try to be more honest"
    seen = route(asked.session, TextInput("I'll try to tell you where I am"), ctx())
    assert where(seen) == "offer_commit", "whatever comes next is accepted"
    assert seen.session.data["_change"] == "I'll try to tell you where I am"


def test_yes_to_a_commitment_copies_the_change_into_its_words():
    outcome = route(at("offer_commit", _change="I text when I'm late"), press("yes"), ctx())
    assert outcome.session.data["_text"] == "I text when I'm late"
    assert where(outcome) == "days"


def test_earlier_answers_can_be_used_for_parts_two_and_three():
    outcome = route(at("accept", _own="I chose to lie"), press("earlier"), ctx())
    assert outcome.session.data["_accept"] == "I chose to lie"
    outcome = route(at("actions", _change="Phone face up"), press("earlier"), ctx())
    assert outcome.session.data["_actions"] == "Phone face up"


def test_the_read_back_shows_all_four_parts_escaped():
    data = {"_ack": "<b>hurt</b>", "_accept": "mine & only mine", "_actions": "a", "_signs": "s"}
    outcome = after_effect(at("apology_ready", **data), "shareable", {}, ctx())
    shown = _text_of(outcome.actions[-1])
    assert "&lt;b&gt;hurt&lt;/b&gt;" in shown and "mine &amp; only mine" in shown


def test_the_private_read_back_offers_no_share_and_names_sos():
    outcome = after_effect(at("apology_ready", _ack="a"), "private", {}, ctx())
    say = outcome.actions[-1]
    values = [b.data.split(":", 1)[1] for row in say.buttons for b in row]
    assert "share" not in values and "/sos" in _text_of(say)
    outcome = after_effect(at("request_ready", _needs=["space"]), "private", {}, ctx())
    values = [b.data.split(":", 1)[1] for row in outcome.actions[-1].buttons for b in row]
    assert "share" not in values


def test_the_longest_answers_still_fit_a_message_and_its_closing_edit():
    longest = "x" * MAX_PART_CHARS
    data = {f"_{p}": longest for p in ("ack", "accept", "actions", "signs")}
    for state in ("apology_review", "confirm_saved", "confirm_share"):
        outcome = (
            after_effect(at("apology_ready", **data, _partner="Alex"), "shareable", {}, ctx())
            if state == "apology_review"
            else route(at("change_part", **data), press("back"), ctx())
        )
        say = FLOW.state(state)
        params = say.params({**data, "_partner": "Alex"}, ctx())
        close = CloseQuestion(1, say.prompt, params, ("responsibility.send",))
        for call in Renderer(catalog()).render(close, 1):
            assert visible_length(call.params["text"]) <= 4096
        assert outcome.session is not None


def test_needs_toggle_in_place_and_done_moves_on():
    outcome = route(at("needs", _needs=[]), press("space"), ctx())
    assert outcome.session.data["_needs"] == ["space"]
    assert isinstance(outcome.actions[0], EditButtons)
    outcome = route(outcome.session, press(DONE, seq=outcome.session.seq), ctx())
    assert where(outcome) == "needs_words"
    assert route(at("needs", _needs=[]), press(DONE), ctx()).actions == (Toast("common.pick_one"),)


def test_read_only_look_back_shows_what_was_written_and_ends():
    data = {
        "_when": "1 March 2026",
        "_prev_broke": {
            "what_happened": "I hid it",
            "impact": "fear",
            "responsibility": "me",
            "do_differently": "phone",
            "shared": True,
            "apology": {"acknowledge": "A", "responsibility": "B", "actions": "C", "signs": "D"},
        },
        "_prev_hurt": {
            "needs": ["space", "reassurance"],
            "looks_like": "time alone",
            "shared": False,
        },
    }
    outcome = route(at("revisit", **data), press("look"), ctx())
    assert outcome.session is None and outcome.finished
    shown = _text_of(outcome.actions[-1])
    for words in (
        "I hid it",
        "fear",
        "phone",
        "time alone",
        "Some space",
        "Reassurance",
        "shared with your partner",
        "not shared",
    ):
        assert words in shown


# ---------------------------------------------------------------- the excuse check


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I lied, but I was stressed.", "but"),
        ("I LIED BUT i was stressed", "but"),
        ("I did it because you ignored me", "because you"),
        ("I did it because, you know, you ignored me", "because you"),
        ("It happened because of you", "because of you"),
        ("If you hadn't been so cold I wouldn't have", "if you hadn't"),
        ("if you hadnt been cold", "if you hadnt"),
        ("If you had listened to me, none of this", "if you had"),
        ("If only you had paid attention", "if only you had"),
        ("if you’d been home", "if you'd"),
        ("You made me feel invisible so I left", "you made me"),
        ("you MAKE me so angry", "you make me"),
        ("You drove me to it", "you drove me"),
        ("You left me no choice", "you left me no"),
        ("I only did it because I was lonely", "only did it because"),
        ("Only because I was drunk", "only because"),
        ("I wouldn't have done it if you were kinder", "if you were"),
        ("I wouldn't have done it if things were different", "wouldn't have done it if"),
        ("I did it but only because you were never home", "because you"),
        ("I was lonely, but only because I felt alone", "but"),
        ("You should have told me how you felt", "you should have"),
        ("I had no choice", "i had no choice"),
        ("It was not a big deal", "not a big deal"),
        ("At least I told you in the end", "at least i"),
        ("I would not have if things were different", "would not have if"),
        ("It's not my fault alone", "it's not my fault"),
        ("It wasn’t all my fault", "it wasn't all my fault"),
        ("Everyone does it", "everyone does"),
        ("It was only a few messages", "it was only a"),
        ("It didn't mean anything", "didn't mean anything"),
        ("She meant nothing to me", "meant nothing"),
        ("What did you expect?", "what did you expect"),
        ("I'm sorry...but", "but"),
    ],
)
def test_the_excuse_check_finds_excuses_however_they_are_written(text, found):
    assert find_excuse(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "I lied to you about where I was.",
        "I take responsibility for breaking your trust.",
        "I hid messages from you for months, and I chose to.",
        "I am responsible for the hurt I caused you.",
        "I spent our savings and kept it secret.",
        "I broke my promise not only once but also again and again.",
        "I put the butter on the table and lied about the button.",
        "I made you doubt yourself, and that is on me.",
        "Because I was afraid of losing face, I lied. That was my choice.",
        "I said things about you to my family that were unkind and untrue.",
        "It was my choice and nobody else's.",
        "",
    ],
)
def test_the_excuse_check_raises_no_false_alarm(text):
    assert find_excuse(text) is None
