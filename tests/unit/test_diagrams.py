"""Each flow's Mermaid drawing in docs/flows/ matches the flow as defined."""

from __future__ import annotations

import pytest

from flows import FLOWS
from flows.diagram import DOCS, mermaid


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_diagram_is_current(name):
    path = DOCS / f"{name}.mmd"
    assert path.exists(), f"missing {path}; run: python -m flows.diagram"
    assert path.read_text(encoding="utf-8") == mermaid(FLOWS[name]), (
        f"{path} is out of date; run: python -m flows.diagram"
    )
