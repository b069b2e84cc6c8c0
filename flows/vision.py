"""Skeleton: filled in by the work on issue 4."""

from flows.engine import State, flow

VISION = flow("vision", "soon", State("soon", ("vision.soon",), ends=True))
REVEAL = flow("reveal", "soon", State("soon", ("vision.soon",), ends=True))
