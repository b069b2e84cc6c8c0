"""The crisis net's evaluation corpus and the floors it must keep.

The held-out floors are what the net reached on messages it was never tuned
on when they were set (docs/benchmarks.md has the figures); they only rise.
"""

FLOORS = {
    "tune": {"recall": 0.95, "acute": 0.85, "alarms": 0.05},
    "heldout": {"recall": 0.65, "acute": 0.55, "alarms": 0.08},
}
