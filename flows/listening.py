"""Skeleton: filled in by the work on issue 4."""

from flows.engine import State, flow

LISTEN = flow("listen", "soon", State("soon", ("listening.soon",), ends=True))
