"""The crisis net as it was until the detector by meaning replaced it: a phrase list.

Kept, with its phrases (phrases_en.yaml), so bench/crisis.py can measure both on
the same messages. Its original docstring follows.

Does this text speak of self-harm, suicide, violence or fear of the partner?

Misses cost far more than false alarms, so the matching forgives what people
in distress type: any case and punctuation, apostrophes or none ("im", "i'm"),
letters doubled or dropped, one stray word inside a phrase ("want to just
die"), and common misspellings of the longer words ("suicde", "myslef").
Short words must match exactly: fuzzy three- and four-letter words would turn
"it's me" into "hits me".

Negation never silences a match. "I'm not going to hurt myself" still gets
resources, only in a gentler voice: people often say the opposite of what
they fear, and a calm offer costs nothing.

The phrases and negating words are content (``crisis.phrases``,
``crisis.negations``), one list per locale.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from flows.crisis import _deletion_index, _deletions  # the same symmetric-delete index

# Words shorter than this match only as typed.
FUZZY_FROM = 5
# A negating word this many words before a phrase (or inside it) makes it "negated".
NEGATION_REACH = 3
# One unexpected word may sit between two words of a phrase.
MAX_GAP = 1


@dataclass(frozen=True)
class Signal:
    """What was found: the phrase as listed, and whether it came negated."""

    phrase: str
    negated: bool


def crisis_signal(text: str, locale: str = "en") -> Signal | None:
    """The first crisis phrase in *text*, or None when there is none."""
    words = _Matcher.of(locale).canonical(tokens(text))
    return _Matcher.of(locale).find(words)


def tokens(text: str) -> list[str]:
    """Lower-case words without accents or punctuation; "my self" becomes "myself"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = re.sub(r"['’`´]", "", plain)
    plain = re.sub(r"(\w)\1{2,}", r"\1\1", plain)  # "diiiie" -> "diie"
    words = re.sub(r"[\W_]+", " ", plain).split()
    return _join_selves(words)


def _join_selves(words: list[str]) -> list[str]:
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] in ("my", "her", "him", "them") and word in ("self", "selves"):
            joined[-1] += word
        else:
            joined.append(word)
    return joined


class _Matcher:
    def __init__(self, phrases: Iterable[str], negations: Iterable[str]) -> None:
        self.phrases = [(phrase, tuple(tokens(phrase))) for phrase in phrases]
        self.by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for phrase, words in self.phrases:
            self.by_first.setdefault(words[0], []).append((phrase, words))
        self.vocabulary = {word for _, words in self.phrases for word in words}
        self.near = _deletion_index(w for w in self.vocabulary if len(w) >= FUZZY_FROM)
        self.negations = frozenset(word for n in negations for word in tokens(n))

    @staticmethod
    @cache
    def of(locale: str) -> _Matcher:
        lists = yaml.safe_load((Path(__file__).parent / f"phrases_{locale}.yaml").read_text())
        return _Matcher(lists["phrases"], lists["negations"])

    def canonical(self, words: list[str]) -> list[frozenset[str]]:
        """Each word as the set of listed words it may be meant as (itself included)."""
        return [self._readings(word) for word in words]

    # Bounded: one matcher per locale lives as long as the process, and words repeat a lot.
    @lru_cache(maxsize=20_000)  # noqa: B019
    def _readings(self, word: str) -> frozenset[str]:
        readings = {word}
        if len(word) >= FUZZY_FROM - 1:
            for variant in _deletions(word) | {word}:
                readings.update(self.near.get(variant, ()))
        return frozenset(readings)

    def find(self, words: list[frozenset[str]]) -> Signal | None:
        for start, readings in enumerate(words):
            for first in readings & self.by_first.keys():
                for phrase, wanted in self.by_first[first]:
                    matched = _match_from(words, start, wanted)
                    if matched is not None:
                        return Signal(phrase, self._negated(words, matched))
        return None

    def _negated(self, words: list[frozenset[str]], matched: list[int]) -> bool:
        """A negating word shortly before the phrase or in a gap inside it; the
        phrase's own words ("not safe at home") do not count."""
        nearby = range(max(0, matched[0] - NEGATION_REACH), matched[-1])
        return any(words[i] & self.negations for i in nearby if i not in matched)


def _match_from(
    words: list[frozenset[str]], start: int, wanted: tuple[str, ...]
) -> list[int] | None:
    """Where each word of *wanted* sits, matched from *start* with small gaps, else None."""
    matched = [start]
    for word in wanted[1:]:
        after = matched[-1] + 1
        window = words[after : after + MAX_GAP + 1]
        hit = next((i for i, readings in enumerate(window) if word in readings), None)
        if hit is None:
            return None
        matched.append(after + hit)
    return matched
