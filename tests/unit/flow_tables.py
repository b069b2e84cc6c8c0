"""Helpers shared by the table tests of the flows."""

from __future__ import annotations

from bot.telegram.render import Renderer
from content import catalog
from flows.engine import Flow, Toast


def resting(*flows: Flow) -> list[tuple[str, str]]:
    """Every state a session can rest on: it asks something and does not end."""
    return [
        (f.name, s.name) for f in flows for s in f.states.values() if not s.effect and not s.ends
    ]


def rendered(outcome) -> str:
    """The words of an outcome's messages as they would be sent."""
    renderer = Renderer(catalog())
    return "\n".join(
        call.params.get("text", "")
        for action in outcome.actions
        if not isinstance(action, Toast)
        for call in renderer.render(action, chat_id=1)
    )
