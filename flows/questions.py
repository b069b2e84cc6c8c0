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
    "emotional_affair", "physical_infidelity", "dishonesty", "broken_promises", "financial",
    "withdrawal", "conflict", "disloyalty", "boundaries", "substance", "jealousy",
    "old_wounds", "control",
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
        "role", ("onboarding.role",), answer="role",
        options=tuple(Option(r, f"onboarding.role_{r}", goto=goto) for r in ROLES),
    )


def causes(goto: str) -> State:
    named = tuple(Option(cause, f"causes.{cause}") for cause in CAUSES)
    return State(
        "causes", ("onboarding.causes",), answer="causes", pick_many=True,
        options=(
            *named,
            Option(OTHER_CAUSE, "causes.other", goto="cause_other"),
            Option(DONE, "onboarding.causes_done", goto=goto),
        ),
    )


def cause_other() -> State:
    return State(
        "cause_other", ("onboarding.cause_other_prompt",), answer="cause_other",
        text=FreeText(goto="causes", max_chars=MAX_CAUSE_CHARS),
    )


def hopes(goto: str) -> State:
    return State(
        "hopes", ("onboarding.hopes",), answer="hopes",
        options=tuple(Option(h, f"onboarding.hope_{h}", goto=goto) for h in HOPES),
        text=FreeText(goto=goto, max_chars=MAX_HOPE_CHARS),
    )


def safety(goto: str) -> tuple[State, ...]:
    """The private safety question and what follows each answer."""
    go_on = (Option("continue", "onboarding.continue", goto=goto),)
    return (
        State(
            "safety", ("onboarding.safety",), answer="safety",
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
    picks = tuple(
        Option(name, f"zones.{name}", goto="zone_confirm") for name in COMMON_ZONES
    )
    return (
        State(
            "zone", ("onboarding.zone",), answer="_zone", options=picks, columns=2,
            text=FreeText(goto="zone_confirm", max_chars=MAX_PLACE_CHARS, parse=_zone_by_name),
            place=Place(goto="zone_confirm", parse=_zone_at,
                        button="onboarding.zone_share_location"),
        ),
        State(
            "zone_confirm", ("onboarding.zone_confirm",), params=_local_time,
            options=(
                Option("yes", "onboarding.zone_confirm_yes", goto=goto,
                       copy=(("time_zone", "_zone"),)),
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
            "reminder", ("onboarding.reminder",), answer="reminder_time",
            options=(
                *presets,
                Option("custom", "onboarding.reminder_custom", goto="reminder_custom",
                       records=False),
                Option(REMINDERS_OFF, "onboarding.reminder_none", goto=goto),
            ),
        ),
        State(
            "reminder_custom", ("onboarding.reminder_custom_prompt",), answer="reminder_time",
            text=FreeText(goto=goto, max_chars=20, parse=_clock_time),
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


_CLOCK = re.compile(
    r"^\s*(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?\s*$",
    re.IGNORECASE,
)


def parse_clock_time(text: str) -> str | None:
    """``"HH:MM"`` for things people type as a time of day ("7:45", "9pm", "21.30")."""
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _clock_time(text: str, ctx: Context) -> Parsed:
    value = parse_clock_time(text)
    if value is None:
        return Parsed(error="onboarding.reminder_bad_time", error_params={"value": text})
    return Parsed(value=value)
