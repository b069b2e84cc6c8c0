"""What the gentle second looks find: excuses by what they mean, a listener's own side, and
a change no one could see (pure, no I/O). The flows that ask once are tested with them."""

from __future__ import annotations

import pytest

from flows.second_looks import excuse_meaning, find_own_side, find_vague_change


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("I did it but only because you were never home", "blame"),
        ("You made me feel invisible", "blame"),
        ("What did you expect?", "blame"),
        ("It was only a few messages, but I'm sorry", "minimise"),
        ("She meant nothing to me", "minimise"),
        ("I lied, but I was stressed", "justify"),
        ("I had no other choice", "justify"),
        ("I lied to you about where I was.", None),
    ],
)
def test_an_excuse_is_known_by_what_it_means(text, meaning):
    assert excuse_meaning(text) == meaning


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("What I hear is that you were scared, but I was drowning too", "but i"),
        ("I hear that you felt alone. I was lonely too.", "i was lonely too"),
        ("That's not what happened, though", "that's not what happened"),
        ("I never meant to hurt you", "i never meant"),
        ("You made me feel like a suspect", "you made me"),
        ("it takes two", "it takes two"),
    ],
)
def test_a_reflection_that_adds_the_listeners_side_is_noticed(text, found):
    assert find_own_side(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "What I hear is that you felt alone and scared when I was away.",
        "It makes sense you feel scared because you found out by accident.",
        "What I hear is you wanted to trust me but couldn't.",
        "It must have felt like the ground went from under you.",
    ],
)
def test_a_reflection_of_the_speakers_words_raises_no_false_alarm(text):
    assert find_own_side(text) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I will try to be more honest", "try to"),
        ("Be a better partner", "be a better"),
        ("I'll do better", "do better"),
        ("I'll work on myself", "work on myself"),
        ("I will be honest from now on", "be honest"),
    ],
)
def test_a_change_no_one_could_see_is_noticed(text, found):
    assert find_vague_change(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "I show you my phone whenever you ask",
        "I text you when I'll be late",
        "I'll be home by seven on weekdays, and call if I can't",
        "I tell you the same day when I spend more than 50 pounds",
    ],
)
def test_a_change_that_can_be_seen_raises_no_false_alarm(text):
    assert find_vague_change(text) is None
