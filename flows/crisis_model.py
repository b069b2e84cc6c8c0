"""The crisis net's second reader: a small linear model behind the rules.

Rules are precise but only as wide as their authors' imagination; people in
danger find words nobody listed. So a message the rules leave alone is read
once more by a multinomial logistic regression over what the rules' reader
already made of it: its words, pairs of words, the concepts each word may
stand for (PILLS, PARTNER, AFRAID...) and pieces of four letters of each word.
Concepts let the model generalise from "I swallowed the tablets" to "took the
whole box of meds"; pieces, from "cutting" to "cuts" and "recut". It reads how
likely any danger is (all kinds together), then which kind is likeliest. What
the model finds is only ever a concern: it asks, it never assumes.

The weights are data (content/detector/<locale>.model.json), trained on the
tuning parts of the locale's evaluation corpus (tests/safety/corpus/tune.yaml and
train_*.yaml for English, corpus/<locale>/ for the others; never heldout.yaml)
by ``python -m flows.crisis_model [locale]``,
deterministically, so a test can tell that the file is current.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from content.detector import DETECTOR_DIR, model_file

ORDINARY = "ordinary"
# Plain everyday messages (train_plain*.yaml): learnt as ordinary, but left out when the
# threshold is set, which the hard ordinary sentences (idioms, traps) must set alone: a
# pool padded with easy sentences would let the model flag more of the hard ones.
EVERYDAY, EVERYDAY_FILES = "everyday", "train_plain"
# Training: full-batch gradient descent, fixed, so the same corpus gives the same file.
STEPS, LEARNING_RATE, L2 = 400, 0.5, 1e-3
# A feature must occur in this many training messages to earn a weight.
MIN_COUNT = 2
# The share of the tuning set's ordinary sentences the model may wrongly flag, at most.
# Chosen by leaving each training writer out in turn (`python -m bench crisis --writers`):
# 2 % found 66 % of the unseen writer's messages in danger for 6.9 % false alarms in all,
# 4 % found 75 % for 8.3 %. A false alarm costs a kind question; a miss may cost a life.
FALSE_ALARM_BUDGET = 0.04
# Of plain everyday messages, which are most of what people write, far fewer.
EVERYDAY_BUDGET = 0.005
FOLDS = 5
PIECE = 4  # letters in a piece of a word
NEGATION_TAG, NEGATION_SCOPE = "NEG:1", 3  # as the rules read negation (flows/crisis.py)
DIGITS = 4  # weights rounded in the file, so it diffs and compares cleanly


@dataclass(frozen=True)
class Model:
    classes: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    threshold: float

    @cached_property
    def _rows(self) -> tuple[dict[str, int], Any]:
        """The weights as one matrix (a row per feature): a long message sums hundreds."""
        import numpy as np

        index = {feature: row for row, feature in enumerate(self.weights)}
        rows = [list(w) for w in self.weights.values()] or [[0.0] * len(self.classes)]
        return index, np.array(rows)

    def read(self, features: Iterable[str]) -> tuple[str, float]:
        """The likeliest kind of danger in a message, and how likely any danger is: a
        message torn between suicide and self-harm is no less in danger for it."""
        index, matrix = self._rows
        rows = [index[f] for f in features if f in index]
        scores = list(self.bias)
        if rows:
            scores = [b + float(w) for b, w in zip(scores, matrix[rows].sum(axis=0), strict=True)]
        probabilities = dict(zip(self.classes, _softmax(scores), strict=True))
        safe = probabilities.pop(ORDINARY, 0.0)
        return max(probabilities, key=probabilities.__getitem__), 1.0 - safe

    def danger(self, features: Iterable[str]) -> str | None:
        """The category the model reads, when it is sure enough that there is danger."""
        category, probability = self.read(features)
        return category if probability >= self.threshold else None


def features_of(sentences: Sequence[Sequence[frozenset[str]]]) -> set[str]:
    """Words, pairs of neighbouring words, concepts and pieces of words of a message
    (one set of readings per word, as flows/crisis.py makes them)."""
    found: set[str] = set()
    for sentence in sentences:
        plain, scope = [], 0
        for readings in sentence:
            word, features = _word_features(readings)
            plain.append(word)
            features = features | _pieces(word)
            # Words just after a negation are other features ("never hurt myself").
            found.update({f"n{f}" for f in features} if scope else features)
            scope = NEGATION_SCOPE if NEGATION_TAG in readings else max(0, scope - 1)
        found.update(f"b:{a}_{b}" for a, b in pairwise(plain))
    return found


@lru_cache(maxsize=50_000)
def _word_features(readings: frozenset[str]) -> tuple[str, frozenset[str]]:
    """A word as typed (the first of its plain readings) and its word and concept features."""
    word = min((r for r in readings if ":" not in r), default="")
    concepts = {
        f"c:{tag.split(':')[0]}" for tag in readings if ":" in tag and not tag.startswith("~")
    }
    return word, frozenset({f"w:{word}", *concepts} if word else concepts)


@lru_cache(maxsize=50_000)
def _pieces(word: str) -> frozenset[str]:
    """The word's runs of PIECE letters, its edges marked ("<cut", "ing>"): a word
    nobody wrote in training still shares pieces with its kin ("cutting", "cuts")."""
    if not word:
        return frozenset()
    marked = f"<{word}>"
    return frozenset(f"g:{marked[i : i + PIECE]}" for i in range(max(1, len(marked) - PIECE + 1)))


def load(locale: str) -> Model | None:
    path = model_file(locale)
    if path is None:
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Model(
        tuple(raw["classes"]),
        {f: tuple(w) for f, w in raw["weights"].items()},
        tuple(raw["bias"]),
        float(raw["threshold"]),
    )


# ---------------------------------------------------------------- training


def train(examples: Sequence[tuple[set[str], str]]) -> dict:
    """The model file's contents, from (features, class) pairs; its threshold chosen on
    messages each fold of the training did not see."""
    model = _fit(examples)
    model["threshold"] = _threshold(examples)
    return model


def _fit(examples: Sequence[tuple[set[str], str]]) -> dict:
    import numpy as np

    examples = [(f, ORDINARY if label == EVERYDAY else label) for f, label in examples]
    classes = sorted({label for _, label in examples})
    counts: dict[str, int] = {}
    for features, _ in examples:
        for feature in features:
            counts[feature] = counts.get(feature, 0) + 1
    vocabulary = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    column = {f: i for i, f in enumerate(vocabulary)}
    # Each message holds a few dozen of thousands of features: kept as the columns it
    # has (row of each entry, column of each entry), not as a mostly-zero matrix.
    rows, columns = [], []
    for row, (features, _) in enumerate(examples):
        held = sorted(column[f] for f in features if f in column)
        rows += [row] * len(held)
        columns += held
    row_of, column_of = np.array(rows, dtype=np.intp), np.array(columns, dtype=np.intp)
    y = np.zeros((len(examples), len(classes)))
    y[np.arange(len(examples)), [classes.index(label) for _, label in examples]] = 1.0
    weights, bias = np.zeros((len(vocabulary), len(classes))), np.zeros(len(classes))
    for _ in range(STEPS):
        scores = np.tile(bias, (len(examples), 1))
        np.add.at(scores, row_of, weights[column_of])
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - y) / len(examples)
        gradient = L2 * weights
        np.add.at(gradient, column_of, error[row_of])
        weights -= LEARNING_RATE * gradient
        bias -= LEARNING_RATE * error.sum(axis=0)
    return {
        "classes": classes,
        "bias": [round(float(b), DIGITS) for b in bias],
        "weights": {
            f: [round(float(w), DIGITS) for w in weights[i]]
            for f, i in column.items()
            if np.abs(weights[i]).max() >= 10**-DIGITS
        },
    }


def _threshold(examples: Sequence[tuple[set[str], str]]) -> float:
    """The lowest confidence that keeps false alarms within budget on sentences a model
    never saw (FOLDS-fold cross-validation): the hard ordinary ones and, apart, the plain
    everyday ones, each with its own budget; never below one half."""
    unseen: dict[str, list[float]] = {ORDINARY: [], EVERYDAY: []}
    for fold in range(FOLDS):
        raw = _fit([e for i, e in enumerate(examples) if i % FOLDS != fold])
        model = Model(
            tuple(raw["classes"]),
            {f: tuple(w) for f, w in raw["weights"].items()},
            tuple(raw["bias"]),
            0.0,
        )
        for i, (features, label) in enumerate(examples):
            if i % FOLDS == fold and label in unseen:
                unseen[label].append(model.read(features)[1])
    lowest = max(
        _above(unseen[ORDINARY], FALSE_ALARM_BUDGET), _above(unseen[EVERYDAY], EVERYDAY_BUDGET)
    )
    return round(max(0.5, lowest + 10**-DIGITS), DIGITS)


def _above(scores: list[float], budget: float) -> float:
    """The score that leaves at most *budget* of *scores* above it."""
    flagged = sorted(scores)
    allowed = int(budget * len(flagged))
    return flagged[len(flagged) - allowed - 1] if len(flagged) > allowed else 0.0


def _softmax(scores: list[float]) -> list[float]:
    from math import exp

    top = max(scores)
    powers = [exp(s - top) for s in scores]
    total = sum(powers)
    return [p / total for p in powers]


def training_examples(files: Sequence[Path], locale: str) -> list[tuple[set[str], str]]:
    """(features, class) for every message of the training corpus files."""
    import yaml

    from flows.crisis import read_words

    labelled: list[tuple[str, str]] = []
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        ordinary = EVERYDAY if path.name.startswith(EVERYDAY_FILES) else ORDINARY
        labelled += [(str(text), ordinary) for text in raw.pop(ORDINARY)]
        labelled += [
            (str(text), category)
            for category, levels in raw.items()
            for texts in levels.values()
            for text in texts or ()
        ]
    return [(features_of(read_words(text, locale)), label) for text, label in labelled]


def training_digest(files: Sequence[Path], locale: str) -> str:
    """A fingerprint of everything a model file is made from: the training corpus, the
    locale's detector data and the code that reads and trains. The file keeps it, so a
    test can tell in a moment (not minutes of retraining) that the file is current."""
    import hashlib

    from content.detector import DETECTOR_DIR

    made_from = [
        *files,
        DETECTOR_DIR / f"{locale}.yaml",
        Path(__file__),
        Path(__file__).with_name("crisis.py"),
    ]
    digest = hashlib.sha256()
    for path in made_from:
        digest.update(path.name.encode() + b"\0" + _meaning(path) + b"\0")
    return digest.hexdigest()


def _meaning(path: Path) -> bytes:
    """What a file says: for code, its syntax tree, so that reformatting it or editing a
    comment does not call for retraining; for data, its bytes."""
    import ast

    if path.suffix == ".py":
        return ast.dump(ast.parse(path.read_text(encoding="utf-8"))).encode()
    return path.read_bytes()


def main(argv: list[str]) -> None:
    from tests.safety.corpus_path import tuning_files

    locale = argv[0] if argv else "en"
    files = tuning_files(locale)  # the locale's own corpus: its words, not English ones
    model = train(training_examples(files, locale))
    model["made_from"] = training_digest(files, locale)
    target = DETECTOR_DIR / f"{locale}.model.json"
    target.write_text(json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"{target}: {len(model['weights'])} features, threshold {model['threshold']}")


if __name__ == "__main__":
    main(sys.argv[1:])
