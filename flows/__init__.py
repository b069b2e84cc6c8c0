"""Conversation state machines, declared as data and stepped purely.

Nothing here knows about Telegram, the database or the clock.
"""

from __future__ import annotations

from flows.engine import Flow
from flows.onboarding import ONBOARDING
from flows.settings import SETTINGS

FLOWS: dict[str, Flow] = {f.name: f for f in (ONBOARDING, SETTINGS)}

__all__ = ["FLOWS", "ONBOARDING", "SETTINGS", "Flow"]
