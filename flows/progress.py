"""The weekly recovery check-in and the progress picture.

Each sign of recovery is rated privately on a 1–5 scale, with how safe and
how hopeful the person feels. The ratings stay theirs: a partner sees, at
most, a one-line summary the person chose to share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import Context, Label, Option, State, flow
from flows.steps import STEP_JUMPS, step_lines

SIGNS = ("engaged", "responsibility", "openness", "committed", "consistent", "safety_returns")
FEELINGS = ("safe", "hopeful")
RATINGS = (*SIGNS, *FEELINGS)
SCALE = ("1", "2", "3", "4", "5")


def _rating(name: str, goto: str) -> State:
    return State(
        f"rate_{name}",
        (f"weekly.{name}",),
        answer=f"_rate_{name}",
        columns=5,
        options=tuple(Option(value, f"weekly.scale_{value}", goto=goto) for value in SCALE),
    )


def _ratings() -> tuple[State, ...]:
    following = [f"rate_{name}" for name in RATINGS[1:]] + ["save"]
    return tuple(_rating(name, goto) for name, goto in zip(RATINGS, following, strict=True))


def _week(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"average": data.get("_average", "")}


def _picture(data: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    partly = int(data.get("_partly") or 0)
    return {
        "trend": Label(f"progress.trend_{data.get('_trend') or 'early'}"),
        "weeks": Label("progress.weeks", {"count": int(data.get("_weeks") or 0)}),
        "kept": Label("progress.days_kept", {"count": int(data.get("_kept") or 0)}),
        "partly": Label("progress.days_partly", {"count": partly}) if partly else "",
        **step_lines(data, ctx),
    }


WEEKLY = flow(
    "weekly",
    "intro",
    State(
        "intro",
        ("weekly.intro",),
        options=(
            Option("start", "weekly.start", goto=f"rate_{RATINGS[0]}"),
            Option("later", "weekly.later", goto="later"),
        ),
    ),
    State("later", ("weekly.later_text",), ends=True),
    *_ratings(),
    State("save", (), effect="save_weekly", on_result={"saved": "saved", "linked": "share"}),
    State(
        "share",
        ("weekly.saved", "weekly.share_question"),
        params=_week,
        options=(
            Option("yes", "weekly.share_yes", goto="sharing"),
            Option("no", "weekly.share_no", goto="kept_private"),
        ),
    ),
    State("sharing", (), effect="share_weekly", on_result={"ok": "shared"}),
    State("shared", ("weekly.shared",), ends=True),
    State("kept_private", ("weekly.kept_private",), ends=True),
    State("saved", ("weekly.saved", "weekly.see_progress"), params=_week, ends=True),
    description="/weekly: rate the signs of recovery privately; optionally share a summary.",
)

PROGRESS = flow(
    "progress",
    "draw",
    State("draw", (), effect="draw_progress", on_result={"ok": "picture"}),
    State(
        "picture",
        ("progress.caption", "steps.where"),
        photo="_chart",
        params=_picture,
        jumps=STEP_JUMPS[:3],
        ends=True,
    ),
    description="/progress: the weeks so far, the trend in plain words, where each step stands.",
)
