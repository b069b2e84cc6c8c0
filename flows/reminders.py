"""/reminders: when nudges come and which ones; and each nudge's Snooze and "fewer of these".

Answers are remembered on the profile like any intake answer; the runtime
moves the user's scheduled rows whenever one of them changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flows import questions
from flows.engine import DONE, Context, FreeText, Label, Moment, Option, Parsed, State, flow

NUDGE_KINDS = ("empathy", "checkin", "weekly", "waiting")
QUIET_PRESETS = ("22:00-07:00", "23:00-08:00", "21:00-09:00")
QUIET_OFF = "off"
PAUSE_DAYS = ("1", "3", "7", "14")


def _summary(data: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    answers = {**ctx.profile, **data}
    reminder = answers.get("reminder_time")
    days = answers.get("reminder_days") or [str(day) for day in range(7)]
    kinds = answers.get("nudges_on") or NUDGE_KINDS
    quiet = answers.get("quiet_hours")
    paused = answers.get("paused_until")
    return {
        "time": reminder
        if reminder and reminder != questions.REMINDERS_OFF
        else Label("reminders.time_off"),
        "days": tuple(Label(f"days.{day}") for day in sorted(days)),
        "kinds": tuple(Label(f"reminders.kind_{kind}") for kind in NUDGE_KINDS if kind in kinds)
        or Label("reminders.none_on"),
        "quiet": quiet.replace("-", "–")
        if quiet and quiet != QUIET_OFF
        else Label("reminders.quiet_none"),
        "paused": Label("reminders.paused_line", {"until": Moment(paused, "date_time")})
        if paused
        else "",
    }


_RANGE_SEPARATOR = re.compile(r"\s*[-–]\s*|\s+(?:to|till|until)\s+", re.IGNORECASE)


def _quiet_range(text: str, _ctx: Context) -> Parsed:
    # "to" may sit inside a time too ("quarter to seven"): try every place it could split.
    for separator in _RANGE_SEPARATOR.finditer(text):
        start = questions.parse_clock_time(text[: separator.start()])
        end = questions.parse_clock_time(text[separator.end() :])
        if start is not None and end is not None and start != end:
            return Parsed(value=f"{start}-{end}")
    return Parsed(error="reminders.quiet_bad", error_params={"value": text})


REMINDERS = flow(
    "reminders",
    "menu",
    State(
        "menu",
        ("reminders.menu",),
        params=_summary,
        columns=2,
        options=(
            Option("time", "reminders.change_time", goto="reminder"),
            Option("days", "reminders.change_days", goto="days"),
            Option("kinds", "reminders.change_kinds", goto="kinds"),
            Option("quiet", "reminders.change_quiet", goto="quiet"),
            Option("pause", "reminders.pause", goto="pause"),
            Option("resume", "reminders.resume", goto="resume"),
            Option("spacing", "reminders.reset_spacing", goto="reset_spacing"),
            Option("done", "reminders.done", goto="closed"),
        ),
    ),
    State("closed", ("reminders.closed",), ends=True),
    *questions.reminder(goto="menu"),
    State(
        "days",
        ("reminders.days",),
        answer="reminder_days",
        pick_many=True,
        columns=2,
        options=(
            *(Option(str(day), f"days.{day}") for day in range(7)),
            Option(DONE, "reminders.days_done", goto="menu"),
        ),
    ),
    State(
        "kinds",
        ("reminders.kinds",),
        answer="nudges_on",
        pick_many=True,
        options=(
            *(Option(kind, f"reminders.kind_{kind}") for kind in NUDGE_KINDS),
            Option(DONE, "reminders.kinds_done", goto="menu"),
        ),
    ),
    State(
        "quiet",
        ("reminders.quiet",),
        answer="quiet_hours",
        columns=3,
        options=(
            *(
                Option(preset, f"reminders.quiet_{preset[:2]}", goto="menu")
                for preset in QUIET_PRESETS
            ),
            Option(QUIET_OFF, "reminders.quiet_off", goto="menu"),
        ),
        text=FreeText(goto="menu", max_chars=2 * questions.MAX_TIME_CHARS, parse=_quiet_range),
    ),
    State(
        "pause",
        ("reminders.pause_prompt",),
        answer="_pause_days",
        columns=4,
        options=tuple(
            Option(days, f"reminders.pause_{days}", goto="pausing") for days in PAUSE_DAYS
        ),
    ),
    State("pausing", (), effect="pause_reminders", on_result={"ok": "paused"}),
    State(
        "paused",
        ("reminders.paused",),
        params=lambda data, _ctx: {"until": data.get("_until", "")},
        ends=True,
    ),
    State(
        "resume",
        (),
        effect="resume_reminders",
        on_result={"ok": "resumed", "not_paused": "not_paused"},
    ),
    State("resumed", ("reminders.resumed",), ends=True),
    State("not_paused", ("reminders.not_paused",), ends=True),
    State("reset_spacing", (), effect="reset_spacing", on_result={"ok": "spacing_reset"}),
    State("spacing_reset", ("reminders.spacing_reset",), ends=True),
    description="/reminders: time, days, which nudges, quiet hours, a pause.",
)


def _spacing(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    kind = data.get("_kind") or "empathy"
    return {"every": data.get("_every", ""), "kind": Label(f"reminders.kind_{kind}")}


SNOOZE = flow(
    "snooze",
    "snooze",
    State(
        "snooze",
        (),
        effect="snooze_nudge",
        on_result={
            "hour": "hour",
            "day": "day",
            "fewer": "fewer",
            "off": "off",
            "refused": "refused",
        },
    ),
    State("hour", ("reminders.snoozed_hour",), ends=True),
    State("day", ("reminders.snoozed_day",), ends=True),
    State("fewer", ("reminders.fewer",), params=_spacing, ends=True),
    State("off", ("reminders.fewer_off",), params=_spacing, ends=True),
    State("refused", ("reminders.snooze_refused",), ends=True),
    description="A nudge's own buttons: again in an hour, tomorrow, or fewer of these.",
)
