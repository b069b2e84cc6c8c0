"""Times of day as people type or say them, read by the one parser every time question uses."""

from __future__ import annotations

import pytest

from flows.questions import MAX_TIME_CHARS, parse_clock_time
from flows.reminders import _quiet_range


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("7:45", "07:45"),
        ("21.30", "21:30"),
        ("2130", "21:30"),
        ("930", "09:30"),
        ("9pm", "21:00"),
        ("9 PM", "21:00"),
        ("9:15 a.m.", "09:15"),
        ("12pm", "12:00"),
        ("12am", "00:00"),
        ("21h", "21:00"),
        ("21h30", "21:30"),
        ("21 h 30", "21:30"),
        ("noon", "12:00"),
        ("Midday", "12:00"),
        ("midnight", "00:00"),
        ("half past nine in the evening", "21:30"),
        ("Half past nine in the evening", "21:30"),
        ("quarter to eight", "07:45"),
        ("a quarter to eight in the evening", "19:45"),
        ("quarter to 1 am", "00:45"),
        ("ten past 7", "07:10"),
        ("twenty to ten pm", "21:40"),
        ("twenty-five past 8", "08:25"),
        ("half nine", "09:30"),
        ("nine thirty pm", "21:30"),
        ("seven forty five in the morning", "07:45"),
        ("ten oh five", "10:05"),
        ("8 o'clock", "08:00"),
        ("eight o’clock in the evening", "20:00"),
        ("at 9 in the evening", "21:00"),
        ("around half past six", "06:30"),
        ("11 at night", "23:00"),
        ("12 at night", "00:00"),
        ("2 at night", "02:00"),
        ("9", "09:00"),
    ],
)
def test_a_time_said_in_words_or_numbers_is_read(typed, read):
    assert parse_clock_time(typed) == read


@pytest.mark.parametrize(
    "typed", ["", "hello", "25:00", "7:60", "13am", "soon", "quarter past noon", "60 past 7"]
)
def test_what_is_not_a_time_is_not_guessed(typed):
    assert parse_clock_time(typed) is None


def test_the_longest_usual_way_of_saying_a_time_fits_the_question():
    assert len("a quarter to eight in the evening") < MAX_TIME_CHARS


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("22:00-07:00", "22:00-07:00"),
        ("10pm to 7am", "22:00-07:00"),
        ("23–8", "23:00-08:00"),
        ("half past ten at night to quarter to seven", "22:30-06:45"),
        ("11pm until 7", "23:00-07:00"),
    ],
)
def test_quiet_hours_read_times_in_words_too(typed, read):
    assert _quiet_range(typed, None).value == read
