"""Does this text tell of someone in danger, and of which danger? The crisis net.

People in distress rarely use the words a phrase list expects: they write in
lower case, in slang, with typos, indirectly ("nobody would notice if I was
gone"), and people who live with a controlling partner describe it rather
than name it. So the net recognises situations, not phrases: the text is
normalised (case, accents, apostrophes, stretched letters, contractions and
slang spelled out, small typos of longer words), each word gets the concepts
it may stand for (SELF, PILLS, PARTNER...), and a locale's rules combine
concepts and words in order within one sentence ("PARTNER .. STRONG_HIT ..
ME"). What a match means is its category (suicide, partner violence...) and
level: acute (numbers at once) or concern (a direct question first).

A match is silenced by a negation just before or inside it ("I would never
hurt myself", "he never hit me"), and, in the categories where it applies, by
a joke marker ("I could kill him lol") or by consent ("we agreed he sees my
location for now") in the same sentence. Everything about a language lives in
content/detector/<locale>.yaml; this module holds no English.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from types import MappingProxyType
from typing import NamedTuple

from content.detector import CATEGORIES, DetectorData, detector_data
from flows.crisis_model import features_of
from flows.crisis_model import load as load_model

ACUTE, CONCERN, FEELING = "acute", "concern", "feeling"
# Words shorter than the locale's fuzzy_from (content.detector.FUZZY_FROM unless its data
# says) match only as typed: fuzzy short words turn "it's" into "hits", "track" into "tracks".
# A negating word this many words before a match (in the same clause) silences it.
NEGATION_REACH = 3
# Gaps allowed before an element: plain (one stray word), ".." and "...".
GAPS = {"": 1, "..": 4, "...": 8}
# The concept whose words negate what follows them ("not", "never" in English).
NEGATION = "NEG"
# The combining accents NFKD splits off Latin letters ("é" -> "e" + U+0301).
_ACCENT = re.compile("[\u0300-\u036f]")
_SENTENCE_END = re.compile(r"[.!?;\n]+|\s[-–—]\s")


@dataclass(frozen=True)
class Finding:
    """What was found: the situation (``category``) and how urgent it reads (``level``)."""

    category: str
    level: str

    @property
    def acute(self) -> bool:
        return self.level == ACUTE


def detect(text: str, locale: str = "en") -> Finding | None:
    """The gravest situation *text* speaks of, or None when it speaks of none. People mix
    languages: the text is also read by the data of the locales *locale*'s data names
    under ``also_read`` (Spanish: English too; docs/benchmarks.md has the cost)."""
    if not text:
        return None
    found = [
        f
        for each in (locale, *_Detector.of(locale).data.also_read)
        if (f := detect_in(text, each)) is not None
    ]
    return min(found, key=_gravity, default=None)


def detect_in(text: str, locale: str) -> Finding | None:
    """What *locale*'s data alone finds in *text* (detect() may ask several)."""
    return _Detector.of(locale).detect(text) if text else None


def _gravity(finding: Finding) -> tuple[bool, int]:
    return finding.level != ACUTE, CATEGORIES.index(finding.category)


def read_words(text: str, locale: str = "en") -> list[list[frozenset[str]]]:
    """What the net reads in *text*: per sentence, per word, its readings and concepts."""
    return [[word.readings for word in sentence] for sentence in _Detector.of(locale)._read(text)]


def strong_feeling(text: str, locale: str = "en") -> bool:
    """Whether *text* carries strong feeling (shaking, crying...) without a crisis in it."""
    return bool(text) and _Detector.of(locale).feels(text)


# ---------------------------------------------------------------- words


class Word(NamedTuple):  # a tuple: a long message makes thousands
    """One typed word: what it may be read as, and where it stands."""

    readings: frozenset[str]
    clause: int
    # Each word and concept it may stand for, with how many words each would span
    # from here: matching asks this map, never parses "CONCEPT:2" again.
    reach: Mapping[str, tuple[int, ...]]
    keys: frozenset[str]  # the same names as a set, for quick checks


def sentences(text: str) -> list[list[str]]:
    """The text as sentences of clauses of plain lower-case words, commas kept as ","."""
    found = []
    for piece in _SENTENCE_END.split(text):
        folded = piece.casefold()
        if not folded.isascii():
            folded = _ACCENT.sub("", unicodedata.normalize("NFKD", folded))
        plain = folded
        plain = re.sub(r"['’`´]", "", plain)
        plain = re.sub(r"(\w)\1{2,}", r"\1\1", plain)  # "diiiie" -> "diie"
        plain = re.sub(r",", " , ", plain)
        words = re.sub(r"[^\w,]+|_", " ", plain).split()
        if words:
            found.append(words)
    return found


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Element:
    alternatives: tuple[str, ...]  # CONCEPT names, words, or word prefixes ending in "*"
    optional: bool
    gap: int  # how many other words may stand before it
    absent: bool = False  # it must NOT stand right here ("can not go on !like+this")
    names: frozenset[str] = frozenset()  # the alternatives as a set, for quick checks


@dataclass(frozen=True)
class Rule:
    category: str
    level: str
    elements: tuple[Element, ...]
    negates_itself: bool  # it holds a negation of its own ("do not want to live")


def _parse_rule(text: str, category: str, level: str, concepts: dict[str, tuple[str, ...]]) -> Rule:
    """A rule from its text; a word prefix ("kill*") or a joined phrase ("no+one")
    becomes a concept of its own."""
    elements, gap = [], GAPS[""]
    for token in text.split():
        if token in GAPS:
            gap = GAPS[token]
            continue
        optional, absent = token.endswith("?"), token.startswith("!")
        alternatives = []
        for alt in token.strip("?!").split("|"):
            if alt.endswith("*") or "+" in alt:
                concepts.setdefault("~" + alt, (alt.replace("+", " "),))
                alt = "~" + alt
            alternatives.append(alt)
        elements.append(
            Element(
                tuple(alternatives),
                optional,
                0 if absent else gap,
                absent,
                names=frozenset(alternatives),
            )
        )
        gap = GAPS[""]
    negations = {NEGATION, *concepts.get(NEGATION, ())}
    negates = any(
        word in negations
        for e in elements
        for alt in e.alternatives
        for word in alt.lstrip("~").split("+")
    )
    return Rule(category, level, tuple(elements), negates)


class _Detector:
    def __init__(self, data: DetectorData) -> None:
        self.data = data
        self.expand = {word: tuple(spelled.split()) for word, spelled in data.expand.items()}
        concepts = dict(data.concepts)
        self.rules = [
            _parse_rule(text, category, level, concepts)
            for (category, level), texts in data.rules.items()
            for text in texts
        ]
        self.feelings = [_parse_rule(text, "feeling", FEELING, concepts) for text in data.feeling]
        self.concepts = _ConceptIndex(concepts)
        self.by_anchor = _anchor_index(self.rules)
        vocabulary = self.concepts.words | {
            alt
            for rule in [*self.rules, *self.feelings]
            for e in rule.elements
            for alt in e.alternatives
            if not _is_concept(alt)
        }
        self.fuzzy_from = data.fuzzy_from
        self.near = _deletion_index(w for w in vocabulary if len(w) >= self.fuzzy_from)
        self.model = load_model(data.locale)

    @staticmethod
    @cache
    def of(locale: str) -> _Detector:
        return _Detector(detector_data(locale))

    def detect(self, text: str) -> Finding | None:
        read = self._read(text)
        found = [f for sentence in read for f in self._matches(sentence, self.rules)]
        if found:
            return min(found, key=_gravity)
        if self.model is None:
            return None
        # What no rule caught, the model may still read as danger: then it asks.
        category = self.model.danger(features_of([[w.readings for w in s] for s in read]))
        return Finding(category, CONCERN) if category else None

    def feels(self, text: str) -> bool:
        return any(
            True for sentence in self._read(text) for _ in self._matches(sentence, self.feelings)
        )

    # ------------------------------------------------------------ reading

    def _read(self, text: str) -> list[list[Word]]:
        read = []
        for words in sentences(text):
            spelled, clauses, clause = [], [], 0
            for word in words:
                if word == ",":
                    clause += 1
                    continue
                for part in self.expand.get(word, (word,)):
                    spelled.append(part)
                    clauses.append(clause)
            read.append(self._tag(spelled, clauses))
        return read

    def _tag(self, words: list[str], clauses: list[int]) -> list[Word]:
        readings = [self._readings(word) for word in words]
        tagged: list[frozenset[str]] = list(readings)
        for start in range(len(words)):
            phrases = {
                f"{concept}:{length}"
                for concept, length in self.concepts.phrases_at(readings, start)
            }
            if phrases:
                tagged[start] = tagged[start] | phrases
        return [
            Word(tags, clause, *_reach(tags)) for tags, clause in zip(tagged, clauses, strict=True)
        ]

    @lru_cache(maxsize=50_000)  # noqa: B019  one detector per locale, for the process's life
    def _readings(self, word: str) -> frozenset[str]:
        """The word, the listed words it may be a typo of, and the concepts of each."""
        readings = {word}
        if word.isdigit():
            readings.add("NUMBER:1")
        if len(word) >= self.fuzzy_from:
            for variant in _deletions(word) | {word}:
                readings.update(self.near.get(variant, ()))
        concepts = {f"{c}:1" for reading in readings for c in self.concepts.of_word(reading)}
        return frozenset(readings | concepts)

    # ------------------------------------------------------------ matching

    def _matches(self, sentence: list[Word], rules: list[Rule]) -> Iterable[Finding]:
        places = _Places(sentence)
        present = places.of_name.keys()
        silenced = {
            c
            for concept, categories in self.data.silencers.items()
            if _stands_unnegated(concept, sentence)
            for c in categories
        }
        if rules is self.rules:  # only the rules whose first required element is here
            rules = list(
                {id(r): r for key in present for r in self.by_anchor.get(key, ())}.values()
            )
        for rule in rules:
            if rule.category in silenced:
                continue
            if not all(
                e.optional or e.absent or not present.isdisjoint(e.names) for e in rule.elements
            ):
                continue
            for start, end in _spans(rule, places):
                if (
                    rule.category in self.data.negatable
                    and not rule.negates_itself
                    and _negated(sentence, start, end)
                ):
                    continue
                yield Finding(rule.category, self._level(rule, present))
                break

    def _level(self, rule: Rule, present: AbstractSet[str]) -> str:
        boosts = self.data.upgrades.get(rule.category, ())
        if rule.level == CONCERN and not present.isdisjoint(boosts):
            return ACUTE
        return rule.level


def _anchor_index(rules: list[Rule]) -> dict[str, list[Rule]]:
    """Each rule under the alternatives of its rarest required element: a rule is only
    tried on a sentence that holds one of them, and "i" or "he" would hold most."""
    uses = Counter(alt for rule in rules for e in rule.elements for alt in e.alternatives)
    index: dict[str, list[Rule]] = {}
    for rule in rules:
        required = [e for e in rule.elements if not (e.optional or e.absent)]
        anchor = min(required, key=lambda e: sum(uses[alt] for alt in e.alternatives))
        for alternative in anchor.alternatives:
            index.setdefault(alternative, []).append(rule)
    return index


class _Places:
    """Where each word and concept stands in one sentence, so that a rule's elements are
    looked for only where they can be, not tried at every word of a long sentence."""

    def __init__(self, sentence: list[Word]) -> None:
        self.sentence = sentence
        self.of_name: dict[str, list[int]] = {}
        for position, word in enumerate(sentence):
            for key in word.keys:
                self.of_name.setdefault(key, []).append(position)
        self._of_element: dict[frozenset[str], list[int]] = {}

    def of(self, element: Element, start: int, stop: int) -> list[int]:
        """The positions from *start* to *stop* (both included) where *element* may stand."""
        places = self._of_element.get(element.names)
        if places is None:
            places = sorted({i for name in element.names for i in self.of_name.get(name, ())})
            self._of_element[element.names] = places
        return places[bisect_left(places, start) : bisect_right(places, stop)]


def _spans(rule: Rule, places: _Places) -> Iterable[tuple[int, int]]:
    """Where *rule* matches in the sentence: (first word, one past the last)."""
    first, sentence = rule.elements[0], places.sentence
    if first.optional:  # "no? se? para que sigo aqui": the rule as if it began after it too
        yield from _spans(replace(rule, elements=rule.elements[1:]), places)
    starts: Iterable[int] = range(len(sentence))
    if not first.absent:
        starts = places.of(first, 0, len(sentence))
    for start in starts:
        for end in _ends(first, sentence, start):
            finish = _rest(rule.elements, 1, places, end)
            if finish is not None:
                yield start, finish
                break


def _rest(elements: tuple[Element, ...], index: int, places: _Places, position: int) -> int | None:
    if index == len(elements):
        return position
    element, sentence = elements[index], places.sentence
    if element.absent:
        if _ends(element, sentence, position):
            return None
        return _rest(elements, index + 1, places, position)
    if element.optional:
        skipped = _rest(elements, index + 1, places, position)
        if skipped is not None:
            return skipped
    for at in places.of(element, position, position + element.gap):
        for end in _ends(element, sentence, at):
            finish = _rest(elements, index + 1, places, end)
            if finish is not None:
                return finish
    return None


def _ends(element: Element, sentence: list[Word], at: int) -> list[int]:
    """Where a match of *element* starting at word *at* would end (none if it does not)."""
    if at >= len(sentence):
        return []
    word = sentence[at]
    if element.names.isdisjoint(word.keys):
        return []
    return [at + length for name in element.names & word.keys for length in word.reach[name]]


@lru_cache(maxsize=50_000)
def _reach(readings: frozenset[str]) -> tuple[Mapping[str, tuple[int, ...]], frozenset[str]]:
    """ "CONCEPT:2" spans two words from here; a plain word spans one."""
    reach: dict[str, set[int]] = {}
    for tag in readings:
        name, _, length = tag.rpartition(":")
        if name and length.isdigit():
            reach.setdefault(name, set()).add(int(length))
        else:
            reach.setdefault(tag, set()).add(1)
    return (
        MappingProxyType({name: tuple(sorted(lengths)) for name, lengths in reach.items()}),
        frozenset(reach),
    )


def _is_concept(alternative: str) -> bool:
    return alternative.isupper() or alternative.startswith("~")


def _stands_unnegated(concept: str, sentence: list[Word]) -> bool:
    """Whether *concept* stands in the sentence without a negation just before it
    ("not joking", "never agreed" silence nothing)."""
    return any(
        concept in word.keys and not _negated(sentence, i, i + 1) for i, word in enumerate(sentence)
    )


def _negated(sentence: list[Word], start: int, end: int) -> bool:
    """A negation shortly before the match, in its clause, or inside it ("he never hit me")."""
    clause = sentence[start].clause
    near = sentence[max(0, start - NEGATION_REACH) : end]
    return any(word.clause == clause and f"{NEGATION}:1" in word.readings for word in near)


# ---------------------------------------------------------------- concepts and typos


class _ConceptIndex:
    """Each concept's words, prefixes ("kill*") and phrases of several words."""

    def __init__(self, concepts: dict[str, tuple[str, ...]]) -> None:
        self.singles: dict[str, set[str]] = {}
        self.prefixes: list[tuple[str, str]] = []
        # Phrases under their first two words (most start with "my", "to"...), and those
        # whose second word is a prefix under their first alone.
        self.by_pair: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        self.by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self.words: set[str] = set()
        for concept, entries in concepts.items():
            for entry in entries:
                parts = tuple(entry.split())
                if len(parts) > 1 and not parts[1].endswith("*"):
                    self.by_pair.setdefault((parts[0], parts[1]), []).append((concept, parts))
                elif len(parts) > 1:
                    self.by_first.setdefault(parts[0], []).append((concept, parts))
                elif parts[0].endswith("*"):
                    self.prefixes.append((parts[0][:-1], concept))
                else:
                    self.singles.setdefault(parts[0], set()).add(concept)
                self.words.update(p for p in parts if not p.endswith("*"))
        self.starts = {first for first, _ in self.by_pair} | set(self.by_first)

    def of_word(self, word: str) -> set[str]:
        found = set(self.singles.get(word, ()))
        found.update(concept for prefix, concept in self.prefixes if word.startswith(prefix))
        return found

    def phrases_at(self, readings: list[frozenset[str]], start: int) -> Iterable[tuple[str, int]]:
        if start + 1 >= len(readings) or self.starts.isdisjoint(readings[start]):
            return
        for first in readings[start]:
            candidates = [*self.by_first.get(first, ())]
            for second in readings[start + 1]:
                candidates += self.by_pair.get((first, second), ())
            for concept, parts in candidates:
                if _phrase_at(parts, readings, start):
                    yield concept, len(parts)


def _phrase_at(parts: tuple[str, ...], readings: list[frozenset[str]], start: int) -> bool:
    if start + len(parts) > len(readings):
        return False
    return all(
        part in readings[start + i]
        or (part.endswith("*") and any(r.startswith(part[:-1]) for r in readings[start + i]))
        for i, part in enumerate(parts)
    )


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _deletion_index(vocabulary: Iterable[str]) -> dict[str, set[str]]:
    """Symmetric-delete index: a typed word one edit away from a listed word shares
    a key with it (a drop, an extra letter, a swap or a wrong letter)."""
    index: dict[str, set[str]] = {}
    for word in vocabulary:
        for variant in _deletions(word) | {word}:
            index.setdefault(variant, set()).add(word)
    return index
