"""The intake questions, built once and reused by onboarding and settings.

Each builder takes where to go next, so the same question can sit in the
first-run sequence or answer back to the settings menu.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from content import catalog
from flows.engine import DONE, Context, FreeText, Label, Option, Parsed, Place, State

ROLES = ("broke", "hurt", "both", "private")
CAUSES = (
    "emotional_affair",
    "physical_infidelity",
    "dishonesty",
    "broken_promises",
    "financial",
    "withdrawal",
    "conflict",
    "disloyalty",
    "boundaries",
    "substance",
    "jealousy",
    "old_wounds",
    "control",
)
OTHER_CAUSE = "other"
HOPES = ("rebuild", "understand", "clarity", "skip")
SAFETY = ("yes", "no", "unsure")
REMINDER_PRESETS = {"morning": "08:00", "midday": "12:30", "evening": "20:00"}
REMINDERS_OFF = "off"
COMMON_ZONES = tuple(catalog().section("zones"))

MAX_CAUSE_CHARS = 200
MAX_HOPE_CHARS = 1000
MAX_PLACE_CHARS = 100


def role(goto: str) -> State:
    return State(
        "role",
        ("onboarding.role",),
        answer="role",
        options=tuple(Option(r, f"onboarding.role_{r}", goto=goto) for r in ROLES),
    )


def causes(goto: str) -> State:
    named = tuple(Option(cause, f"causes.{cause}") for cause in CAUSES)
    return State(
        "causes",
        ("onboarding.causes",),
        answer="causes",
        pick_many=True,
        options=(
            *named,
            Option(OTHER_CAUSE, "causes.other", goto="cause_other"),
            Option(DONE, "onboarding.causes_done", goto=goto),
        ),
    )


def cause_other() -> State:
    return State(
        "cause_other",
        ("onboarding.cause_other_prompt",),
        answer="cause_other",
        text=FreeText(goto="causes", max_chars=MAX_CAUSE_CHARS),
    )


def hopes(goto: str) -> State:
    return State(
        "hopes",
        ("onboarding.hopes",),
        answer="hopes",
        options=tuple(Option(h, f"onboarding.hope_{h}", goto=goto) for h in HOPES),
        text=FreeText(goto=goto, max_chars=MAX_HOPE_CHARS),
    )


def safety(goto: str) -> tuple[State, ...]:
    """The private safety question and what follows each answer."""
    go_on = (Option("continue", "onboarding.continue", goto=goto),)
    return (
        State(
            "safety",
            ("onboarding.safety",),
            answer="safety",
            options=(
                Option("yes", "onboarding.safety_yes", goto="safety_support"),
                Option("no", "onboarding.safety_no", goto=goto),
                Option("unsure", "onboarding.safety_unsure", goto="safety_unsure"),
            ),
        ),
        State("safety_support", ("onboarding.safety_yes_reply", "crisis.numbers"), options=go_on),
        State("safety_unsure", ("onboarding.safety_unsure_reply",), options=go_on),
    )


def zone(goto: str) -> tuple[State, ...]:
    """Where the user lives, confirmed by showing their local time."""
    picks = tuple(Option(name, f"zones.{name}", goto="zone_confirm") for name in COMMON_ZONES)
    return (
        State(
            "zone",
            ("onboarding.zone",),
            answer="_zone",
            options=picks,
            columns=2,
            text=FreeText(goto="zone_confirm", max_chars=MAX_PLACE_CHARS, parse=_zone_by_name),
            place=Place(
                goto="zone_confirm", parse=_zone_at, button="onboarding.zone_share_location"
            ),
        ),
        State(
            "zone_confirm",
            ("onboarding.zone_confirm",),
            params=_local_time,
            options=(
                Option(
                    "yes", "onboarding.zone_confirm_yes", goto=goto, copy=(("time_zone", "_zone"),)
                ),
                Option("no", "onboarding.zone_confirm_no", goto="zone"),
            ),
        ),
    )


def reminder(goto: str) -> tuple[State, ...]:
    presets = tuple(
        Option(time, f"onboarding.reminder_{name}", goto=goto)
        for name, time in REMINDER_PRESETS.items()
    )
    return (
        State(
            "reminder",
            ("onboarding.reminder",),
            answer="reminder_time",
            options=(
                *presets,
                Option(
                    "custom", "onboarding.reminder_custom", goto="reminder_custom", records=False
                ),
                Option(REMINDERS_OFF, "onboarding.reminder_none", goto=goto),
            ),
        ),
        State(
            "reminder_custom",
            ("onboarding.reminder_custom_prompt",),
            answer="reminder_time",
            text=FreeText(goto=goto, max_chars=MAX_TIME_CHARS, parse=_clock_time),
        ),
    )


# ---------------------------------------------------------------- parsers (pure)


def _zone_by_name(text: str, ctx: Context) -> Parsed:
    found = ctx.find_zone_by_name(text)
    if found is None:
        return Parsed(error="onboarding.zone_not_found", error_params={"query": text})
    return Parsed(value=found)


def _zone_at(latitude: float, longitude: float, ctx: Context) -> Parsed:
    found = ctx.find_zone_at(latitude, longitude)
    if found is None:
        return Parsed(error="onboarding.zone_location_not_found")
    return Parsed(value=found)


def _local_time(data: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    zone_name = data.get("_zone") or "UTC"
    local = ctx.now.astimezone(ZoneInfo(zone_name))
    return {
        "zone": zone_name.replace("_", " "),
        "local_time": local.strftime("%H:%M"),
        "local_day": Label(f"days.{local.weekday()}"),
    }


MAX_TIME_CHARS = 60  # "a quarter past nine in the evening" and the like

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
_NUMBER = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
# Spoken times: "quarter to eight", "half past nine", "ten past 7", "half nine" (9:30).
_SPOKEN = re.compile(
    r"^(?:(?P<minutes>half|quarter|\d{1,2})(?: minutes?)? (?P<way>past|after|to|before|till) "
    r"|(?P<british>half) )(?P<hour>\d{1,2})$"
)
_NUMERIC = re.compile(r"^(?P<hour>\d{1,2})(?:(?:\s*[:.h]\s*|\s+)(?P<minute>\d{2}))?\s*h?$")
_FOUR_DIGITS = re.compile(r"^(?P<hour>\d{1,2})(?P<minute>\d{2})$")  # "2130", "930"
_PERIODS = (  # how the part of the day is said, and whether it means after noon
    (re.compile(r"\b(?:am|in the morning|this morning|morning)$"), "am"),
    (re.compile(r"\b(?:at night|tonight|night)$"), "night"),
    (
        re.compile(
            r"\b(?:pm|in the (?:afternoon|evening)|this (?:afternoon|evening)"
            r"|afternoon|evening)$"
        ),
        "pm",
    ),
)
_NAMED = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}


def parse_clock_time(text: str) -> str | None:
    """``"HH:MM"`` for a time of day as people type or say it: "7:45", "9pm", "21h",
    "21.30", "noon", "quarter to eight", "half past nine in the evening"."""
    said = _tidy_time(text)
    if said in _NAMED:
        return _NAMED[said]
    said, period = _period(said)
    found = _spoken(said) or _numeric(said)
    if found is None:
        return None
    said_hour, minute, before = found
    hour = _with_period(said_hour, period) if period else said_hour
    if hour is None or not 0 <= hour <= 23 or not 0 <= minute <= 59:
        return None
    if before:  # "quarter to eight": the minutes count back from the hour named
        hour, minute = (hour - 1) % 24, 60 - minute
    return f"{hour:02d}:{minute:02d}"


def _tidy_time(text: str) -> str:
    said = text.lower().replace("a.m.", "am").replace("p.m.", "pm").replace("-", " ")
    said = re.sub(r"\bo'?\s?clock\b|^(?:at|about|around)\b|\ba\b", " ", said.replace("’", "'"))
    said = re.sub(r"(\d)\s*(am|pm)\b", r"\1 \2", said)
    said = re.sub(rf"\b(twenty|thirty|forty|fifty) ({_UNITS})\b", _words_to_number, said)
    said = re.sub(rf"\b({_NUMBER})\b", lambda word: str(_NUMBER_WORDS[word[1]]), said)
    said = re.sub(r"\b(\d{1,2}) oh (\d)\b", r"\1:0\2", said)  # "ten oh five"
    return " ".join(said.split())


def _words_to_number(match: re.Match[str]) -> str:
    return str(_NUMBER_WORDS[match[1]] + _NUMBER_WORDS[match[2]])  # "forty five"


def _period(said: str) -> tuple[str, str | None]:
    for pattern, period in _PERIODS:
        found = pattern.search(said)
        if found:
            return said[: found.start()].strip(), period
    return said, None


def _spoken(said: str) -> tuple[int, int, bool] | None:
    match = _SPOKEN.match(said)
    if not match:
        return None
    hour = int(match["hour"])
    if match["british"]:
        return hour, 30, False
    minutes = {"half": 30, "quarter": 15}.get(match["minutes"]) or int(match["minutes"])
    if not 0 < minutes < 60:
        return None
    return hour, minutes, match["way"] in ("to", "before", "till")


def _numeric(said: str) -> tuple[int, int, bool] | None:
    match = _NUMERIC.match(said) or _FOUR_DIGITS.match(said)
    return (int(match["hour"]), int(match["minute"] or 0), False) if match else None


def _with_period(hour: int, period: str) -> int | None:
    """The hour on the 24-hour clock, for an hour said with the part of the day."""
    if period == "pm" and 13 <= hour <= 23:
        return hour  # "21h in the evening" says the same thing twice
    if not 1 <= hour <= 12:
        return None
    if period == "am":
        return hour % 12
    if period == "night" and (hour == 12 or hour < 5):
        return hour % 12  # "2 at night", "12 at night"
    return hour % 12 + 12


def _clock_time(text: str, ctx: Context) -> Parsed:
    value = parse_clock_time(text)
    if value is None:
        return Parsed(error="onboarding.reminder_bad_time", error_params={"value": text})
    return Parsed(value=value)
