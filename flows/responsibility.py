"""Skeleton: filled in by the work on issue 4."""

from flows.engine import State, flow

RESPONSIBILITY = flow("responsibility", "soon", State("soon", ("responsibility.soon",), ends=True))
