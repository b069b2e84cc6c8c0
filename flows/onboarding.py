"""Onboarding: the first conversation, shaped like a first session with a therapist.

What the bot is and is not, consent to keep answers, role, what damaged
trust, hopes, the private safety question, time zone and reminder time.
"""

from __future__ import annotations

from flows import questions
from flows.engine import Option, State, flow

ONBOARDING = flow(
    "onboarding",
    "welcome",
    State(
        "welcome",
        ("onboarding.welcome",),
        options=(
            Option("begin", "onboarding.begin", goto="consent"),
            Option("later", "onboarding.later", goto="later"),
        ),
    ),
    State("later", ("onboarding.later_reply",), ends=True),
    State(
        "consent",
        ("onboarding.consent",),
        answer="consent",
        options=(
            Option("yes", "onboarding.consent_yes", goto="role"),
            Option(
                "privacy",
                "onboarding.consent_privacy",
                goto="consent",
                also_say="privacy",
                records=False,
            ),
            Option("no", "onboarding.consent_no", goto="declined"),
        ),
    ),
    State("declined", ("onboarding.consent_declined",), ends=True),
    questions.role(goto="causes"),
    questions.causes(goto="hopes"),
    questions.cause_other(),
    questions.hopes(goto="safety"),
    *questions.safety(goto="zone"),
    *questions.zone(goto="reminder"),
    *questions.reminder(goto="finished"),
    State("finished", ("onboarding.finished",), on_enter={"onboarded": True}, ends=True),
    description="First run: consent, role, causes, hopes, private safety question, zone, reminder.",
)
