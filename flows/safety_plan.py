"""/safetyplan: a personal safety plan the user writes once and can recall any time.

Three questions, the heart of the plans crisis services teach: the warning
signs that a hard moment is coming, what helps them through one, and who they
can call. Each can be skipped. The plan is read back before it is kept, and
shown again from /sos. It is private: nothing here has a way to the partner.

Crisis words are expected in these answers ("when I start thinking about
ending it"), so the router lets them through here instead of interrupting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import Context, FreeText, Label, Option, State, flow

MAX_ANSWER_CHARS = 1000
PARTS = ("_signs", "_helps", "_people")


def _plan(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {part[1:]: data.get(part) or Label("safety.plan_blank") for part in PARTS}


def _question(name: str, goto: str) -> State:
    return State(
        name,
        (f"safety.plan_{name}",),
        answer=f"_{name}",
        text=FreeText(goto=goto, max_chars=MAX_ANSWER_CHARS),
        options=(Option("skip", "safety.plan_skip", goto=goto, records=False),),
    )


SAFETY_PLAN = flow(
    "safetyplan",
    "load",
    State("load", (), effect="load_safety_plan", on_result={"none": "intro", "found": "show"}),
    State(
        "intro",
        ("safety.plan_intro",),
        options=(
            Option("begin", "safety.plan_begin", goto="signs"),
            Option("later", "safety.plan_later", goto="later"),
        ),
    ),
    State(
        "show",
        ("safety.plan_show",),
        params=_plan,
        options=(
            Option("change", "safety.plan_change", goto="signs"),
            Option("done", "safety.plan_done", goto="done"),
        ),
    ),
    _question("signs", "helps"),
    _question("helps", "people"),
    _question("people", "review"),
    State(
        "review",
        ("safety.plan_review",),
        params=_plan,
        options=(
            Option("keep", "safety.plan_keep", goto="save"),
            Option("again", "safety.plan_again", goto="signs"),
        ),
    ),
    State("save", (), effect="save_safety_plan", on_result={"ok": "saved"}),
    State("saved", ("safety.plan_saved",), ends=True),
    State("later", ("safety.plan_whenever",), ends=True),
    State("done", ("safety.plan_kept",), ends=True),
    description="/safetyplan: warning signs, what helps, who to call. Private; recalled from /sos.",
)
