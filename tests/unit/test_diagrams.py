"""Each flow's page in docs/flows/ (its Mermaid drawing, every state's words and buttons)
and the index match the flows and the texts as they are now."""

from __future__ import annotations

import pytest

from flows import FLOWS
from flows.diagram import DOCS, EFFECT_MARK, INDEX, documents, mermaid

CURRENT = documents()


@pytest.mark.parametrize("name", sorted(CURRENT))
def test_page_is_current(name):
    path = DOCS / name
    assert path.exists(), f"missing {path}; run: python -m flows.diagram"
    assert path.read_text(encoding="utf-8") == CURRENT[name], (
        f"{path} is out of date; run: python -m flows.diagram"
    )


def test_every_flow_has_a_page_and_a_line_in_the_index():
    assert set(CURRENT) == {f"{name}.md" for name in FLOWS} | {INDEX}
    assert all(f"]({name}.md)" in CURRENT[INDEX] for name in FLOWS)


def test_effect_states_are_drawn_apart_and_named():
    link = FLOWS["link"]
    drawing = mermaid(link)
    assert f"create: {EFFECT_MARK} create_invite" in drawing
    effects = [state.name for state in link.states.values() if state.effect]
    assert f"    class {', '.join(effects)} effect" in drawing
    assert "choose" not in effects


def test_a_page_shows_the_words_with_placeholders_and_the_buttons():
    page = CURRENT["link.md"]
    assert "> **Your link**\\" in page  # Telegram's bold as Markdown's, the line kept
    assert "{partner}" in page
    assert "- [Invite my partner] → create" in page
