"""The crisis net on its evaluation corpus (tests/safety/corpus/, and corpus/<locale>/
for a locale other than English): the floors each locale must keep, measured the
way bench/crisis.py reports them (recall: a crisis message got the numbers or the
safety question; a false alarm: an ordinary sentence got either). tune.yaml is what
the data was tuned on; heldout.yaml was written apart and never tuned on, so its
floors are lower and honest."""

from __future__ import annotations

import json

import pytest

from bench.crisis import load, measure, new_detector, parts
from content.detector import CATEGORIES, DETECTOR_DIR
from flows.crisis_model import train, training_digest, training_examples
from tests.safety import FLOORS
from tests.safety.corpus_path import corpus_locales, tuning_files

# Messages of each kind, at least, over all parts: English's bar, and what a newer
# locale's corpus has reached so far (it only rises).
CORPUS_SIZE = {"en": 400, "es": 250}


@pytest.mark.parametrize(
    ("locale", "part"), [(locale, part) for locale in sorted(FLOORS) for part in FLOORS[locale]]
)
def test_the_net_keeps_its_floors(locale, part):
    crisis, ordinary = load(parts(locale)[part])
    figures = measure(new_detector(locale), crisis, ordinary)
    counts = figures["per_category"].values()
    recall = sum(c[1] for c in counts) / sum(c[0] for c in counts)
    acute = sum(c[3] for c in counts) / sum(c[2] for c in counts)
    alarms = len(figures["alarms"]) / figures["ordinary"]
    floor = FLOORS[locale][part]
    assert recall >= floor["recall"] and acute >= floor["acute"], (recall, acute)
    assert alarms <= floor["alarms"], figures["alarms"]


def test_every_corpus_has_its_floors():
    assert set(corpus_locales()) == set(FLOORS) == set(CORPUS_SIZE)


@pytest.mark.parametrize("locale", sorted(CORPUS_SIZE))
def test_the_corpus_is_large_and_covers_every_category(locale):
    crisis, ordinary = load(parts(locale)["all"])
    assert len(crisis) >= CORPUS_SIZE[locale] and len(ordinary) >= CORPUS_SIZE[locale]
    assert {category for category, _, _ in crisis} == set(CATEGORIES)


@pytest.mark.parametrize("locale", sorted(FLOORS))
def test_the_model_file_is_current(locale):
    """The shipped model was trained on today's corpus, detector data and code (retrain
    with `python -m flows.crisis_model <locale>`). Training is deterministic; the
    fingerprint spares every run minutes of retraining to show it."""
    shipped = json.loads((DETECTOR_DIR / f"{locale}.model.json").read_text())
    retrain = f"python -m flows.crisis_model {locale}"
    assert shipped.get("made_from") == training_digest(tuning_files(locale), locale), (
        f"the corpus, the detector data or the code changed: run {retrain}"
    )


def test_training_is_deterministic():
    """The same examples give the same weights and threshold, to the digit."""
    examples = training_examples(tuning_files(), "en")[::7]  # a seventh: seconds, not minutes
    assert train(examples) == train(examples)
