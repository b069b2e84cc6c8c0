"""Crisis words: found however they are typed, gentler when negated, and the
everyday words of a trust-repair conversation left alone. Then what the
router does with them, and which numbers each reader sees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import Renderer
from content import catalog
from content.resources import country_of_zone, directory
from flows.crisis import crisis_signal, tokens
from flows.engine import Context, MediaInput, Session, TextInput
from flows.router import EditedMessage, MenuPress, route

PHRASES = catalog().words("crisis.phrases")

FOUND = [
    "I want to kill myself",
    "i wanna die!!",
    "I WANT TO DIE",
    "honestly... i want to just die",
    "suicde",
    "sucidal thoughts again",
    "i keep thinking about suicide.",
    "kil my self",
    "I feel like ending my life",
    "I might hurt myslef tonight",
    "im thinking of ending it all",
    "nobody would care, I'd be better off dead",
    "I have been cutting myself",
    "self-harm",
    "He hit me last night",
    "she has hit me before",
    "he threatened to kill me if I leave",
    "I'm scared of him",
    "I am terrified of her when she drinks",
    "I'm in danger",
    "i am not safe at home",
    "he wont let me leave the house",
    "I can't go on like this",
    "I just can’t do this anymore",
]

NEGATED = [
    "I'm not going to hurt myself",
    "I don't want to die",
    "I would never kill myself",
    "I'm not afraid of him, just sad",
    "he never hit me",
]

LEFT_ALONE = [
    "it's me again",
    "it hit me hard when I found out",
    "you hurt me so much",
    "I was so hurt by what you did",
    "this is killing me",
    "I killed it at work today",
    "she checks my phone every night",
    "we had a nice dinner",
    "I'd die for a coffee right now",
    "I think he lied about the money",
    "",
    "!!!",
]


@pytest.mark.parametrize("text", FOUND)
def test_crisis_words_are_found_however_they_are_typed(text):
    signal = crisis_signal(text)
    assert signal is not None and not signal.negated


@pytest.mark.parametrize("text", NEGATED)
def test_negated_crisis_words_are_still_found_but_marked_gentle(text):
    signal = crisis_signal(text)
    assert signal is not None and signal.negated


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_everyday_words_of_a_hard_conversation_are_left_alone(text):
    assert crisis_signal(text) is None


@pytest.mark.parametrize("phrase", PHRASES)
def test_every_listed_phrase_is_found_in_a_sentence(phrase):
    assert crisis_signal(f"Lately, {phrase.upper()}!") is not None


def test_tokens_fold_case_accents_apostrophes_and_selves():
    assert tokens("I’M Súre, MY SELF—dead?!") == ["im", "sure", "myself", "dead"]


@settings(max_examples=60, deadline=None)
@given(before=st.text(max_size=200), after=st.text(max_size=200),
       phrase=st.sampled_from(PHRASES))
def test_a_phrase_is_found_whatever_surrounds_it(before, after, phrase):
    assert crisis_signal(f"{before}\n{phrase}\n{after}") is not None


# ---------------------------------------------------------------- the router


def _ctx(**profile):
    return Context(now=datetime(2026, 1, 5, 9, tzinfo=UTC),
                   profile={"onboarded": True, "consent": "yes", **profile})


MID_FLOW = Session(flow="underneath", state="more", seq=3, data={"_feelings": ["hurt"]})


@pytest.mark.parametrize("event", [
    TextInput("I want to kill myself"),
    MediaInput("photo", caption="i want to die"),
    EditedMessage("he hit me again"),
], ids=["text", "caption", "edit"])
def test_crisis_words_anywhere_pause_the_flow_and_show_numbers(event):
    outcome = route(MID_FLOW, event, _ctx())
    assert outcome.session == MID_FLOW and outcome.remember == {}
    [say] = outcome.actions
    assert say.keys == ("crisis.detected", "crisis.numbers", "crisis.paused")
    labels = [button.label for row in say.buttons for button in row]
    assert labels == ["safety.grounding_button", "safety.plan_button", "crisis.carry_on"]


def test_negated_words_get_the_gentle_lead_and_outside_a_flow_no_carry_on():
    [say] = route(None, TextInput("I'm not going to hurt myself"), _ctx()).actions
    assert say.keys == ("crisis.gentle", "crisis.numbers")
    assert all(b.label != "crisis.carry_on" for row in say.buttons for b in row)


def test_carry_on_asks_the_paused_question_again():
    outcome = route(MID_FLOW, MenuPress("resume"), _ctx())
    assert outcome.session == MID_FLOW
    assert outcome.actions[-1].keys == ("practices.say_more",)


def test_the_safety_plan_may_name_warning_signs_without_interruption():
    plan = Session(flow="safetyplan", state="signs", seq=2, data={})
    outcome = route(plan, TextInput("when I start thinking about suicide"), _ctx())
    assert outcome.session.state == "helps"
    assert outcome.session.data["_signs"] == "when I start thinking about suicide"


def test_grounding_keeps_the_place_and_offers_to_carry_on():
    [say] = route(MID_FLOW, MenuPress("grounding"), _ctx()).actions
    assert say.keys == ("safety.grounding",)
    assert say.buttons[0][0].label == "crisis.carry_on"


# ---------------------------------------------------------------- the numbers


@pytest.mark.parametrize(("zone", "number", "not_shown"), [
    ("America/New_York", "988", "116 123"),
    ("Europe/London", "116 123", "988"),
    ("Europe/Dublin", "1800 247 247", "988"),
    ("America/Toronto", "988", "13 11 14"),
    ("Australia/Sydney", "13 11 14", "988"),
    ("Asia/Kolkata", "14416", "988"),
    ("Europe/Berlin", "0800 111 0 111", "988"),
    ("Europe/Lisbon", "116 123", "988"),
])
def test_the_sos_numbers_follow_the_readers_country(zone, number, not_shown):
    text = Renderer(catalog(), zone).text(("sos",), {})
    assert number in text and not_shown not in text
    assert "findahelpline.com" in text  # the international directory, always


@pytest.mark.parametrize("zone", [None, "UTC", "Asia/Tokyo"])
def test_an_unknown_country_shows_the_languages_countries(zone):
    text = Renderer(catalog(), zone).text(("sos",), {})
    assert all(number in text for number in ("988", "116 123", "13 11 14", "14416"))


def test_every_entry_names_its_source_and_when_it_was_checked():
    every = [e for c in directory().countries.values() for e in c.entries]
    every += directory().international
    assert len(every) > 30
    assert all(e.source.startswith("https://") and e.checked.year >= 2026 for e in every)
    assert {"US", "GB", "CA", "AU", "IN", "IE", "EU"} <= directory().countries.keys()


def test_zones_map_to_countries():
    assert country_of_zone("Europe/Lisbon") == "PT"
    assert country_of_zone("Europe/London") == "GB"
    assert country_of_zone("Nowhere/Atlantis") is None
