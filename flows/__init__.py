"""Conversation state machines, declared as data and stepped purely.

Nothing here knows about Telegram, the database or the clock.
"""

from __future__ import annotations

from flows.agreements import AGREEMENTS, ITEM, RESPOND, RETIRE_ANSWER
from flows.commitments import CHECKIN, COMMIT, COMMITMENT, COMMITMENTS, NOTICE
from flows.engine import Flow
from flows.linking import JOIN, LINK, PARTNER, UNLINK
from flows.onboarding import ONBOARDING
from flows.progress import PROGRESS, WEEKLY
from flows.reminders import REMINDERS, SNOOZE
from flows.settings import SETTINGS

FLOWS: dict[str, Flow] = {
    f.name: f for f in (ONBOARDING, SETTINGS, LINK, JOIN, UNLINK, PARTNER, AGREEMENTS, RESPOND,
                      ITEM, RETIRE_ANSWER, COMMIT, COMMITMENTS, COMMITMENT, CHECKIN, NOTICE,
                      REMINDERS, SNOOZE, WEEKLY, PROGRESS)
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
    return keys


__all__ = ["FLOWS", "ONBOARDING", "SETTINGS", "Flow", "content_keys"]
