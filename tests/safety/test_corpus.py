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
from flows.crisis_model import train, training_digest, training_examples
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
    """The shipped model was trained on today's corpus, detector data and code (retrain
    with `python -m flows.crisis_model`). Training is deterministic; the fingerprint
    spares every run minutes of retraining to show it."""
    shipped = json.loads((DETECTOR_DIR / "en.model.json").read_text())
    assert shipped.get("made_from") == training_digest(tuning_files(), "en"), \
        "the corpus, the detector data or the code changed: run python -m flows.crisis_model"


def test_training_is_deterministic():
    """The same examples give the same weights and threshold, to the digit."""
    examples = training_examples(tuning_files(), "en")[::7]  # a seventh: seconds, not minutes
    assert train(examples) == train(examples)
