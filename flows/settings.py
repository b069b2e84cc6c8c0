"""Settings: revisit any intake answer; each question leads back to the menu."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows import questions
from flows.engine import Context, Label, Option, State, flow
from flows.language import language_label

CHOICES = ("role", "causes", "hopes", "safety", "zone", "reminder")


def _summary(data: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    answers = {**ctx.profile, **data}
    role = answers.get("role")
    reminder = answers.get("reminder_time")
    return {
        "role": Label(f"answers.role.{role}") if role else Label("settings.not_set"),
        "zone": answers.get("time_zone") or Label("settings.not_set"),
        "reminder": (
            reminder
            if reminder and reminder != questions.REMINDERS_OFF
            else Label("settings.reminder_off")
        ),
        "language": language_label(ctx.locale),
    }


SETTINGS = flow(
    "settings",
    "menu",
    State(
        "menu",
        ("settings.menu",),
        params=_summary,
        columns=2,
        options=(
            *(Option(choice, f"settings.change_{choice}", goto=choice) for choice in CHOICES),
            Option("done", "settings.done", goto="closed"),
        ),
        jumps=(("settings.change_language", "language"),),
    ),
    State("closed", ("settings.closed",), ends=True),
    questions.role(goto="menu"),
    questions.causes(goto="menu"),
    questions.cause_other(),
    questions.hopes(goto="menu"),
    *questions.safety(goto="menu"),
    *questions.zone(goto="menu"),
    *questions.reminder(goto="menu"),
    description="Change role, causes, hopes, the private safety answer, zone or reminder "
    "time; the language button opens /language.",
)
