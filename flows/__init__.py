"""Conversation state machines, declared as data and stepped purely.

Nothing here knows about Telegram, the database or the clock.
"""

from __future__ import annotations

from flows.agreements import AGREEMENTS, ITEM, RESPOND, RETIRE_ANSWER
from flows.commitments import CHECKIN, COMMIT, COMMITMENT, COMMITMENTS, NOTICE
from flows.engine import Flow
from flows.language import LANGUAGE
from flows.linking import JOIN, LINK, PARTNER, UNLINK
from flows.listening import LISTEN
from flows.onboarding import ONBOARDING
from flows.practices import ACKNOWLEDGE, PRACTICES, REASSURE, TRIGGERED, UNDERNEATH
from flows.privacy import DELETE, ERASE, EXPORT
from flows.progress import PROGRESS, WEEKLY
from flows.reminders import REMINDERS, SNOOZE
from flows.responsibility import RESPONSIBILITY
from flows.safety_check import SAFETY_CHECK
from flows.safety_plan import SAFETY_PLAN
from flows.settings import SETTINGS
from flows.shares import ANSWER, REQUEST_AGREEMENT, REQUEST_COMMITMENT
from flows.steps import STEPS
from flows.vision import REVEAL, VISION

FLOWS: dict[str, Flow] = {
    f.name: f
    for f in (
        ONBOARDING,
        SETTINGS,
        LANGUAGE,
        LINK,
        JOIN,
        UNLINK,
        PARTNER,
        AGREEMENTS,
        RESPOND,
        ITEM,
        RETIRE_ANSWER,
        COMMIT,
        COMMITMENTS,
        COMMITMENT,
        CHECKIN,
        NOTICE,
        REMINDERS,
        SNOOZE,
        WEEKLY,
        PROGRESS,
        STEPS,
        RESPONSIBILITY,
        LISTEN,
        VISION,
        REVEAL,
        PRACTICES,
        TRIGGERED,
        UNDERNEATH,
        ACKNOWLEDGE,
        REASSURE,
        SAFETY_PLAN,
        SAFETY_CHECK,
        EXPORT,
        DELETE,
        ERASE,
        ANSWER,
        REQUEST_AGREEMENT,
        REQUEST_COMMITMENT,
    )
}


def content_keys() -> set[str]:
    """Every content key the flows declare, for the start-up check."""
    keys: set[str] = set()
    for flow in FLOWS.values():
        for state in flow.states.values():
            keys.update(state.prompt)
            keys.update(option.label for option in state.options)
            keys.update(option.also_say for option in state.options if option.also_say)
            if state.place:
                keys.add(state.place.button)
            keys.update(label for label, _ in state.links)
            keys.update(label for label, _ in state.jumps)
    return keys


__all__ = ["FLOWS", "ONBOARDING", "SETTINGS", "Flow", "content_keys"]
