"""The question a concern gets: ask, don't assume.

When the crisis net reads a concern rather than acute danger (passive thoughts
of death, self-harm some time ago, a partner who controls or frightens), the
bot asks directly, as clinicians do, and lets the answer decide: "yes" and
"I'm not sure" lead to the numbers (and, where the partner is the danger, to
the private safety mode and the quick exit); "no" goes back to the exact
question the person was answering. Nothing they wrote is kept, relayed or
logged; the flow holds only which question it asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import Option, State, flow

# The question each concern gets (its state), by the crisis net's category.
QUESTION_FOR = {
    "suicide": "ask_life",
    "self_harm": "ask_harm",
    "coercive_control": "ask_safe",
    "fear": "ask_safe",
    "partner_violence": "ask_safe",
    "threats": "ask_safe",
}
# The profile answer that turns on the private safety mode (as at onboarding).
PRIVATE_MODE = {"safety": "yes"}


def private_mode(profile: Mapping[str, Any]) -> bool:
    """The private safety mode, the one place the promise is read: while it is on,
    nothing this person does reaches their partner (set at onboarding's safety
    question, in /settings, or from a crisis answer)."""
    return profile.get("safety") == PRIVATE_MODE["safety"]


_SOS_JUMPS = (("safety.grounding_button", "grounding"), ("safety.plan_button", "safetyplan"))


def _question(name: str, yes: str, unsure: str) -> State:
    return State(
        name,
        (f"check.{name}",),
        options=(
            Option("yes", f"check.{name}_yes", goto=yes),
            Option("unsure", "check.unsure", goto=unsure),
            Option("no", f"check.{name}_no", goto="fine"),
        ),
    )


SAFETY_CHECK = flow(
    "check",
    "ask_life",
    _question("ask_life", yes="life_yes", unsure="life_unsure"),
    _question("ask_harm", yes="harm_yes", unsure="life_unsure"),
    # "Are you safe with your partner right now?": yes means safe, so the options turn.
    State(
        "ask_safe",
        ("check.ask_safe",),
        options=(
            Option("safe", "check.ask_safe_yes", goto="safe"),
            Option("unsure", "check.unsure", goto="unsafe"),
            Option("not_safe", "check.ask_safe_no", goto="unsafe"),
        ),
    ),
    State("life_yes", ("check.life_yes", "crisis.numbers"), ends=True, jumps=_SOS_JUMPS),
    State("harm_yes", ("check.harm_yes", "crisis.numbers"), ends=True, jumps=_SOS_JUMPS),
    State("life_unsure", ("check.life_unsure", "crisis.numbers"), ends=True, jumps=_SOS_JUMPS),
    State(
        "unsafe",
        ("check.unsafe", "crisis.numbers", "crisis.quick_exit"),
        options=(
            Option("private", "crisis.private_mode_button", goto="private_on"),
            Option("later", "check.not_now", goto="kept_open"),
        ),
    ),
    State(
        "safe",
        ("check.safe", "crisis.quick_exit"),
        options=(
            Option("private", "crisis.private_mode_button", goto="private_on"),
            Option("later", "check.carry_on", goto="fine_safe"),
        ),
    ),
    State(
        "private_on",
        ("crisis.private_mode_on",),
        on_enter=PRIVATE_MODE,
        ends=True,
        jumps=_SOS_JUMPS,
    ),
    State("kept_open", ("check.kept_open",), ends=True, jumps=_SOS_JUMPS),
    State("fine", ("check.fine",), ends=True, resumes=True),
    State("fine_safe", ("check.fine",), ends=True, resumes=True),
    description="A concern's direct question: yes or not sure lead to help, no goes back.",
)
