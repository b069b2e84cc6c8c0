"""Skeleton: filled in by the work on issue 4."""

from flows.engine import State, flow

PRACTICES = flow("practices", "soon", State("soon", ("practices.soon",), ends=True))
TRIGGERED = flow("triggered", "soon", State("soon", ("practices.soon",), ends=True))
UNDERNEATH = flow("underneath", "soon", State("soon", ("practices.soon",), ends=True))
ACKNOWLEDGE = flow("acknowledge", "soon", State("soon", ("practices.soon",), ends=True))
REASSURE = flow("reassure", "soon", State("soon", ("practices.soon",), ends=True))
