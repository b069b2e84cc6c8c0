"""/steps: where each repair step stands, and a way back into any of them.

The steps are not a ladder to climb once: each can be opened again at any
time. The same lines sit under the /progress picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import Context, Label, Option, State, flow

# Buttons that open each step (and the practices), as their commands would.
STEP_JUMPS = (
    ("steps.open_1", "responsibility"),
    ("steps.open_2", "listen"),
    ("steps.open_3", "vision"),
    ("steps.open_practices", "practices"),
)
NOT_YET: tuple[str, dict[str, str]] = ("steps.not_yet", {})


def step_lines(data: Mapping[str, Any], _ctx: Context) -> dict[str, Any]:
    """Each step's line, from ``_steps``: {"1": [content key, params], ...} set by an effect."""
    found = data.get("_steps") or {}
    return {
        f"step{name}": Label(*found.get(name, NOT_YET)) for name in ("1", "2", "3", "practices")
    }  # step1..step3, steppractices


STEPS = flow(
    "steps",
    "look",
    State("look", (), effect="step_status", on_result={"ok": "overview"}),
    State(
        "overview",
        ("steps.overview",),
        params=step_lines,
        jumps=STEP_JUMPS,
        options=(Option("close", "steps.close", goto="closed"),),
    ),
    State("closed", ("steps.closed",), ends=True),
    description="/steps: where each repair step stands; open any of them again.",
)
