"""The crisis net on its evaluation corpus (tests/safety/corpus/): the floors it
must keep, measured the way bench/crisis.py reports them (recall: a crisis
message got the numbers or the safety question; a false alarm: an ordinary
sentence got either). tune.yaml is what the data was tuned on; heldout.yaml
was written apart and never tuned on, so its floors are lower and honest."""

from __future__ import annotations

import json

import pytest

from bench.crisis import SETS, load, measure, new_detector
from content.detector import CATEGORIES, DETECTOR_DIR
from flows.crisis_model import train, training_examples
from tests.safety import FLOORS
from tests.safety.corpus_path import tuning_files

CORPUS_SIZE = 400  # messages of each kind, at least, over both parts


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_the_net_keeps_its_floors(part):
    crisis, ordinary = load(SETS[part])
    figures = measure(new_detector(), crisis, ordinary)
    counts = figures["per_category"].values()
    recall = sum(c[1] for c in counts) / sum(c[0] for c in counts)
    acute = sum(c[3] for c in counts) / sum(c[2] for c in counts)
    alarms = len(figures["alarms"]) / figures["ordinary"]
    floor = FLOORS[part]
    assert recall >= floor["recall"] and acute >= floor["acute"], (recall, acute)
    assert alarms <= floor["alarms"], figures["alarms"]


def test_the_corpus_is_large_and_covers_every_category():
    crisis, ordinary = load(SETS["all"])
    assert len(crisis) >= CORPUS_SIZE and len(ordinary) >= CORPUS_SIZE
    assert {category for category, _, _ in crisis} == set(CATEGORIES)


def test_the_model_file_is_current():
    """Retraining on the tuning corpus gives the file that ships (regenerate it with
    `python -m flows.crisis_model`)."""
    shipped = json.loads((DETECTOR_DIR / "en.model.json").read_text())
    trained = train(training_examples(tuning_files(), "en"))
    assert trained["classes"] == shipped["classes"]
    assert abs(trained["threshold"] - shipped["threshold"]) < 1e-3
    # Within rounding: sums may run in another order on another machine's BLAS.
    close = {f for f, w in trained["weights"].items() if f in shipped["weights"] and all(
        abs(a - b) < 1e-3 for a, b in zip(w, shipped["weights"][f], strict=True))}
    assert len(close) >= 0.99 * len(shipped["weights"])
