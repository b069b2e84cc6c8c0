"""Skeleton: filled in by the work on issue 4."""

from flows.engine import State, flow

STEPS = flow("steps", "soon", State("soon", ("steps.soon",), ends=True))
