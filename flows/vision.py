"""Step 3, a new vision: three questions answered alone, a reveal that needs both, agreements.

Each partner answers alone, in their own words: what relationship do we want
from here, what has to change to make it possible, how will I show up
differently. A linked partner's answers stay private until both have
answered; then each chooses whether to reveal theirs, and sees the other's
only if both chose to. From the answers the user may draft an agreement,
boundary or ritual for the ledger (the same questions as /agreements).

VISION is /vision: the questions, or where the last answers stand. REVEAL is
begun by the buttons of the "both of you have answered" notice (item kind
"w", the pressing user's own answers' id). Who may choose what is decided in
bot/features/vision.py from the rows, never from the button.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.agreements import proposing
from flows.engine import Context, FreeText, Label, Option, State, flow

MAX_ANSWER_CHARS = 1000
QUESTIONS = ("want", "change", "show_up")  # in the order asked; each answer is "_" + name
# Who the answers are for (see _intro); "answered": linked, and the partner's wait already.
MODES = ("linked", "answered", "solo", "safety")
STATUSES = ("waiting", "choose", "chosen", "shown", "kept", "private")
NOTES = ("solo", "safety", "ended")  # why answers are private, in status_private
# What an attempt to choose can meet instead of a choice: not this user's to make, made
# already, superseded by newer answers, the partner has not answered, a safety pause.
_REFUSALS = {
    "refused": "refused",
    "already": "already",
    "stale": "stale",
    "not_ready": "not_ready",
    "safety": "safety_refused",
}


def _intro(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    mode = data.get("_mode") if data.get("_mode") in MODES else "solo"
    return {"how": Label(f"vision.how_{mode}", {"partner": _partner(data)})}


def _partner(data: Mapping[str, Any]) -> str:
    return data.get("_partner") or ""


def _typed(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    """The answers being written, for the read-back before saving."""
    return {name: data.get(f"_{name}") or "" for name in QUESTIONS}


def _saved(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    """The saved answers ("_mine", from the database), for everything after saving.

    Kept apart from the typed ones so that, once saved, the session holds no unsaved
    words: a flow left then is not parked, and /vision shows where things stand.
    """
    saved = data.get("_mine")
    mine: Mapping[str, Any] = saved if isinstance(saved, Mapping) else {}
    return {**{name: mine.get(name) or "" for name in QUESTIONS}, "partner": _partner(data)}


def _status(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    note = data.get("_note") if data.get("_note") in NOTES else "solo"
    return {
        "date": data.get("_date") or "",
        "partner": _partner(data),
        "note": Label(f"vision.note_{note}"),
    }


def _starting_point(data: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    return {"change": _saved(data, ctx)["change"]}


_NEXT = (
    Option("draft", "vision.draft", goto="draft_gate"),
    Option("done", "vision.done", goto="closed"),
)


def _status_state(status: str) -> State:
    choose = (Option("choose", "vision.choose_now", goto="choose"),) if status == "choose" else ()
    return State(
        f"status_{status}",
        (f"vision.status_{status}",),
        params=_status,
        options=(
            *choose,
            Option("see", "vision.see", goto="mine"),
            Option("again", "vision.again", goto="intro"),
            *_NEXT,
        ),
    )


def _reveal_states() -> tuple[State, ...]:
    """Choosing whether to reveal, what follows, and drafting an agreement from the answers."""
    return (
        State(
            "choose",
            ("vision.choose",),
            params=_saved,
            answer="_choice",
            options=(
                Option("show", "vision.show", goto="decide"),
                Option("keep", "vision.keep", goto="decide"),
            ),
        ),
        State(
            "decide",
            (),
            effect="vision_choose",
            on_result={"waiting": "chosen", "shown": "revealed", "kept": "kept", **_REFUSALS},
        ),
        State("chosen", ("vision.chosen",), params=_saved, ends=True),
        State("revealed", ("vision.revealed",), params=_saved, options=_NEXT),
        State("kept", ("vision.kept",), options=_NEXT),
        State("refused", ("vision.refused",), ends=True),
        State("already", ("vision.already",), ends=True),
        State("stale", ("vision.stale",), ends=True),
        State("not_ready", ("vision.not_ready",), ends=True),
        State("safety_refused", ("vision.safety_refused", "sos"), ends=True),
        State("closed", ("vision.closed",), ends=True),
        State(
            "draft_gate",
            (),
            effect="vision_draft_gate",
            on_result={"ok": "kind", "private": "draft_private"},
        ),
        State("draft_private", ("vision.draft_private",), ends=True),
        *proposing(("vision.draft_start", "ledger.wording"), _starting_point),
    )


VISION = flow(
    "vision",
    "open",
    State(
        "open",
        (),
        on_enter={"step": "3"},
        effect="vision_status",
        on_result={"new": "intro", **{status: f"status_{status}" for status in STATUSES}},
    ),
    State(
        "intro",
        ("vision.intro",),
        params=_intro,
        options=(
            Option("begin", "vision.begin", goto="want"),
            Option("later", "vision.later", goto="closed"),
        ),
    ),
    State(
        "want",
        ("vision.want",),
        answer="_want",
        text=FreeText(goto="change", max_chars=MAX_ANSWER_CHARS),
    ),
    State(
        "change",
        ("vision.change",),
        answer="_change",
        text=FreeText(goto="show_up", max_chars=MAX_ANSWER_CHARS),
    ),
    State(
        "show_up",
        ("vision.show_up",),
        answer="_show_up",
        text=FreeText(goto="read_back", max_chars=MAX_ANSWER_CHARS),
    ),
    State(
        "read_back",
        ("vision.read_back",),
        params=_typed,
        options=(
            Option("save", "vision.save", goto="save"),
            Option("redo", "vision.redo", goto="want"),
            Option("discard", "vision.discard", goto="discarded"),
        ),
    ),
    State("discarded", ("vision.discarded",), ends=True),
    State(
        "save",
        (),
        effect="vision_save",
        on_result={
            "waiting": "saved_waiting",
            "both": "choose",
            "solo": "saved_solo",
            "private": "saved_private",
        },
    ),
    State("saved_waiting", ("vision.saved_waiting",), options=_NEXT),
    State("saved_solo", ("vision.saved_solo",), options=_NEXT),
    State("saved_private", ("vision.saved_private",), options=_NEXT),
    *(_status_state(status) for status in STATUSES),
    State(
        "mine",
        ("vision.mine",),
        params=_saved,
        options=(Option("again", "vision.again", goto="intro"), *_NEXT),
    ),
    *_reveal_states(),
    description="/vision: three questions alone; a reveal only if both choose; agreements.",
)

REVEAL = flow(
    "reveal",
    "open",
    State(
        "open",
        (),
        effect="vision_open_reveal",
        on_result={"show": "choose", "keep": "decide", "draft": "draft_gate", **_REFUSALS},
    ),
    *_reveal_states(),
    description="A partner's new-vision answers: reveal mine or keep them; draft from mine.",
)
