"""Consistency commitments: making one, the daily check-in answer, and looking after them.

A commitment is a concrete, observable action in the user's own words, on
chosen weekdays. Its check-ins stay private unless its owner chose "let my
partner see my check-ins"; then a kept day reaches the partner as one short
line with an "I noticed" button, and the keeper hears that it was noticed.
A kept day changed afterwards is taken back from the partner, and the owner
is told so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import DONE, Context, FreeText, Label, Listing, Option, State, flow

MAX_COMMITMENT_CHARS = 300
MAX_NOTE_CHARS = 500
WEEKDAYS = tuple(range(7))
EVERY_DAY, WORKDAYS = "0123456", "01234"
RESULTS = ("kept", "partly", "missed")


def chosen_days(data: Mapping[str, Any]) -> str:
    """The weekdays a commitment applies on, as a string of weekday numbers."""
    choice = data.get("_days_choice")
    if choice == "weekdays":
        return WORKDAYS
    if choice == "choose" and data.get("_picked_days"):
        return "".join(sorted(str(day) for day in data["_picked_days"]))
    return EVERY_DAY


def days_label(days: str) -> Label:
    if days == EVERY_DAY:
        return Label("commit.days_every")
    if days == WORKDAYS:
        return Label("commit.days_weekdays")
    return Label("commit.days_some", {"days": tuple(Label(f"days.{day}") for day in days)})


def _draft(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"text": data.get("_text", ""), "days": days_label(chosen_days(data))}


def _saved(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    reminder = data.get("_reminder")
    return {
        "when": Label("commit.checkin_at", {"time": reminder})
        if reminder
        else Label("commit.checkin_off")
    }


def day_questions(goto: str) -> tuple[State, ...]:
    """Every day, weekdays, or chosen days; see :func:`chosen_days`."""
    return (
        State(
            "days",
            ("commit.days",),
            answer="_days_choice",
            options=(
                Option("every", "commit.days_every", goto=goto),
                Option("weekdays", "commit.days_weekdays", goto=goto),
                Option("choose", "commit.days_choose", goto="pick_days"),
            ),
        ),
        State(
            "pick_days",
            ("commit.pick_days",),
            answer="_picked_days",
            pick_many=True,
            columns=2,
            options=(
                *(Option(str(day), f"days.{day}") for day in WEEKDAYS),
                Option(DONE, "commit.days_done", goto=goto),
            ),
        ),
    )


def making(saved_goto: str = "saved") -> tuple[State, ...]:
    """The questions that make (or re-word) a commitment: words, days, read-back."""
    return (
        State(
            "wording",
            ("commit.wording",),
            answer="_text",
            text=FreeText(goto="days", max_chars=MAX_COMMITMENT_CHARS),
        ),
        *day_questions(goto="review"),
        State(
            "review",
            ("commit.review",),
            params=_draft,
            options=(
                Option("save", "commit.save", goto="save"),
                Option("rewrite", "commit.rewrite", goto="wording"),
                Option("drop", "commit.drop", goto="dropped"),
            ),
        ),
        State(
            "save",
            (),
            effect="save_commitment",
            on_result={"saved": saved_goto, "linked": "visibility"},
        ),
        State(
            "visibility",
            ("commit.visibility",),
            answer="_visible",
            options=(
                Option("yes", "commit.visibility_yes", goto="set_visibility"),
                Option("no", "commit.visibility_no", goto=saved_goto),
            ),
        ),
        State(
            "set_visibility",
            (),
            effect="commitment_visibility",
            on_result={"ok": saved_goto, "refused": "refused"},
        ),
        State("saved", ("commit.saved",), params=_saved, ends=True),
        State("dropped", ("commit.dropped",), ends=True),
        State("refused", ("commit.refused",), ends=True),
    )


COMMIT = flow(
    "commit",
    "wording",
    *making(),
    description="/commit: a concrete action in your own words, on the days it applies.",
)


def _overview(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"items": Listing("commitments.item", tuple(data.get("_items", ())), "commitments.none")}


COMMITMENTS = flow(
    "commitments",
    "list",
    State("list", (), effect="list_commitments", on_result={"ok": "overview"}),
    State(
        "overview",
        ("commitments.overview",),
        params=_overview,
        item_buttons="_buttons",
        options=(
            Option("new", "commitments.new", goto="wording"),
            Option("done", "commitments.done", goto="closed"),
        ),
    ),
    State("closed", ("commitments.closed",), ends=True),
    *making(),
    description="/commitments: each commitment with its last weeks; open one to change it.",
)


def _detail(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {
        "text": data.get("_text", ""),
        "days": days_label(data.get("_days") or EVERY_DAY),
        "visible": Label(
            "commitments.visible_yes" if data.get("_visible_now") else "commitments.visible_no"
        ),
    }


_CHANGED = {"ok": "changed", "refused": "refused"}

COMMITMENT = flow(
    "commitment",
    "open",
    State(
        "open",
        (),
        effect="open_commitment",
        on_result={"active": "active", "paused": "paused", "refused": "refused"},
    ),
    State(
        "active",
        ("commitments.detail",),
        params=_detail,
        columns=2,
        options=(
            Option("reword", "commitments.reword", goto="reword"),
            Option("days", "commitments.change_days", goto="days"),
            Option("visibility", "commitments.change_visibility", goto="visibility"),
            Option("pause", "commitments.pause", goto="pause"),
            Option("end", "commitments.end", goto="confirm_end"),
            Option("back", "commitments.done", goto="closed"),
        ),
    ),
    State(
        "paused",
        ("commitments.detail", "commitments.is_paused"),
        params=_detail,
        options=(
            Option("resume", "commitments.resume", goto="resume"),
            Option("end", "commitments.end", goto="confirm_end"),
            Option("back", "commitments.done", goto="closed"),
        ),
    ),
    State("closed", ("commitments.closed",), ends=True),
    State(
        "reword",
        ("commitments.reword_prompt",),
        params=_detail,
        answer="_text",
        text=FreeText(goto="change_words", max_chars=MAX_COMMITMENT_CHARS),
    ),
    State("change_words", (), effect="reword_commitment", on_result=_CHANGED),
    *day_questions(goto="change_days"),
    State("change_days", (), effect="commitment_days", on_result=_CHANGED),
    State(
        "visibility",
        ("commit.visibility",),
        answer="_visible",
        options=(
            Option("yes", "commit.visibility_yes", goto="set_visibility"),
            Option("no", "commit.visibility_no", goto="set_visibility"),
        ),
    ),
    State("set_visibility", (), effect="commitment_visibility", on_result=_CHANGED),
    State("pause", (), effect="pause_commitment", on_result=_CHANGED),
    State("resume", (), effect="resume_commitment", on_result=_CHANGED),
    State(
        "confirm_end",
        ("commitments.end_confirm",),
        params=_detail,
        options=(
            Option("yes", "commitments.end_yes", goto="end"),
            Option("no", "commitments.end_no", goto="closed"),
        ),
    ),
    State("end", (), effect="end_commitment", on_result={"ok": "ended", "refused": "refused"}),
    State("ended", ("commitments.ended",), ends=True),
    State("changed", ("commitments.changed",), ends=True),
    State("refused", ("commit.refused",), ends=True),
    description="One commitment: re-word it, change its days or who sees it, pause, end.",
)


def _partner(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"partner": data.get("_partner", "")}


def _answered(result: str, told: bool = False) -> State:
    """The answer acknowledged (and, for a kept day taken back, that the partner knows),
    with an optional private note."""
    keys = (
        f"checkin.{result}",
        *(("checkin.partner_told",) if told else ()),
        "checkin.note_prompt",
    )
    return State(
        f"{result}_told" if told else result,
        keys,
        params=_partner,
        answer="_note",
        options=(Option("skip", "checkin.no_note", goto="thanks", records=False),),
        text=FreeText(goto="save_note", max_chars=MAX_NOTE_CHARS),
    )


# A kept day changed to one of these was taken back from the partner who had seen it.
WITHDRAWN = ("partly", "missed")

CHECKIN = flow(
    "checkin",
    "record",
    State(
        "record",
        (),
        effect="record_checkin",
        on_result={
            **{result: result for result in RESULTS},
            **{f"{result}_told": f"{result}_told" for result in WITHDRAWN},
            "refused": "refused",
            "gone": "gone",
        },
    ),
    *(_answered(result) for result in RESULTS),
    *(_answered(result, told=True) for result in WITHDRAWN),
    State(
        "save_note",
        (),
        effect="save_checkin_note",
        on_result={"ok": "thanks", "refused": "refused"},
    ),
    State("thanks", ("checkin.thanks",), ends=True),
    State("refused", ("commit.refused",), ends=True),
    State("gone", ("checkin.gone",), ends=True),
    description="Answering a daily check-in: kept, partly or not today, and an optional note.",
)

NOTICE = flow(
    "notice",
    "notice",
    State(
        "notice",
        (),
        effect="notice_checkin",
        on_result={
            "ok": "sent",
            "already": "already",
            "changed": "changed",
            "hidden": "hidden",
            "unlinked": "unlinked",
            "refused": "refused",
        },
    ),
    State("sent", ("checkin.noticed_sent",), ends=True),
    State("already", ("checkin.noticed_already",), ends=True),
    # A line that no longer holds says plainly why nothing was passed on.
    State("changed", ("checkin.noticed_changed",), params=_partner, ends=True),
    State("hidden", ("checkin.noticed_hidden",), params=_partner, ends=True),
    State("unlinked", ("checkin.noticed_unlinked",), ends=True),
    State("refused", ("commit.refused",), ends=True),
    description='"I noticed": acknowledging a partner\'s kept commitment.',
)
