"""The crisis net's evaluation corpus and the floors it must keep, per locale.

The held-out floors are what the net reached on messages it was never tuned
on when they were set (docs/benchmarks.md has the figures). Recall floors only
rise. The English false-alarm ceiling rose once, by choice: the model may now
flag 4 % of unseen ordinary sentences instead of 2 % (flows/crisis_model.py
says how that was chosen); with it, held-out recall went from 77.5 % to 91 %
and false alarms from 8.2 % to 9.5 %. Plain everyday answers learnt as ordinary
(train_plain.yaml) then brought false alarms back to 8.5 %, so the ceiling came
down to 0.09 again.

Spanish (corpus/es/): the held-out part was written first, in its own voice,
before any rule, and never tuned on; but by the same hand as the rules, so its
figures (97.9 % recall, 96.5 % acute, no false alarm) flatter the net. Its
floors sit below them, and the figures that will count come from messages
written by Spanish speakers outside the team.
"""

FLOORS = {
    "en": {
        # tune.yaml (the rules were tuned on it) and train_*.yaml (the model alone learnt them)
        "tune": {"recall": 0.94, "acute": 0.62, "alarms": 0.04},
        "heldout": {"recall": 0.90, "acute": 0.60, "alarms": 0.09},
    },
    "es": {
        "tune": {"recall": 0.98, "acute": 0.97, "alarms": 0.02},
        "heldout": {"recall": 0.95, "acute": 0.93, "alarms": 0.05},
    },
}
