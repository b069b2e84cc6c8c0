"""The crisis net's data for one locale, loaded and checked (content/detector/<locale>.yaml).

The data says what the situations look like in that language: its contractions
and slang, its concepts (words grouped by meaning) and the rules that combine
them. flows/crisis.py reads it; a second language adds a file, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from content import DEFAULT_LOCALE, ContentError

DETECTOR_DIR = Path(__file__).parent / "detector"
# Worst first: when one message holds several situations, the first answers it.
CATEGORIES = (
    "overdose_injury",
    "suicide",
    "self_harm",
    "partner_violence",
    "threats",
    "fear",
    "urge_to_harm",
    "coercive_control",
)
LEVELS = ("acute", "concern")
# Concepts that code supplies, not the data: a number typed as digits.
BUILT_IN_CONCEPTS = frozenset({"NUMBER"})
REQUIRED_CONCEPTS = ("NEG",)  # its words negate what follows them
# Words shorter than this match only as typed: fuzzy short words turn "it's" into
# "hits". A language whose short words differ by one letter in meaning (Spanish
# "quiero"/"quiere": I want/he wants) sets a longer one (`fuzzy_from` in its file).
FUZZY_FROM = 6
_CONCEPT_NAME = re.compile(r"^[A-Z][A-Z_]*$")


@dataclass(frozen=True)
class DetectorData:
    locale: str
    expand: dict[str, str]
    concepts: dict[str, tuple[str, ...]]
    rules: dict[tuple[str, str], tuple[str, ...]]  # (category, level) -> rule texts
    feeling: tuple[str, ...]
    silencers: dict[str, frozenset[str]]  # concept -> the categories it silences
    negatable: frozenset[str]
    upgrades: dict[str, tuple[str, ...]]
    fuzzy_from: int = FUZZY_FROM
    also_read: tuple[str, ...] = ()  # other locales whose data reads this locale's texts too


def model_file(locale: str) -> Path | None:
    """The trained second reader of *locale* (flows/crisis_model.py), if it has one."""
    path = DETECTOR_DIR / f"{locale}.model.json"
    return path if path.exists() else None


def has_detector(locale: str) -> bool:
    return (DETECTOR_DIR / f"{locale}.yaml").exists()


@cache
def detector_data(locale: str = DEFAULT_LOCALE) -> DetectorData:
    """The data for *locale*, or English where the locale has none yet."""
    if not has_detector(locale):
        locale = DEFAULT_LOCALE
    raw = yaml.safe_load((DETECTOR_DIR / f"{locale}.yaml").read_text(encoding="utf-8"))
    data = DetectorData(
        locale=locale,
        expand={str(k): str(v) for k, v in (raw.get("expand") or {}).items()},
        concepts={name: tuple(str(w) for w in words) for name, words in raw["concepts"].items()},
        rules=_rules(raw["rules"]),
        feeling=tuple(raw.get("feeling") or ()),
        silencers={
            concept: frozenset(categories)
            for concept, categories in (raw.get("silencers") or {}).items()
        },
        negatable=frozenset(raw.get("negatable", CATEGORIES)),
        upgrades={k: tuple(v) for k, v in (raw.get("upgrades") or {}).items()},
        fuzzy_from=int(raw.get("fuzzy_from", FUZZY_FROM)),
        also_read=tuple(str(other) for other in raw.get("also_read") or ()),
    )
    _check(data)
    return data


def _rules(raw: dict[str, Any]) -> dict[tuple[str, str], tuple[str, ...]]:
    rules = {}
    for category, levels in raw.items():
        if category not in CATEGORIES:
            raise ContentError(f"detector: unknown category {category!r}")
        for level, texts in levels.items():
            if level not in LEVELS:
                raise ContentError(f"detector: {category}: unknown level {level!r}")
            rules[(category, level)] = tuple(str(text) for text in texts)
    return rules


def _check(data: DetectorData) -> None:
    known = data.concepts.keys() | BUILT_IN_CONCEPTS
    texts = [t for group in data.rules.values() for t in group] + list(data.feeling)
    used = {
        alt for text in texts for element in text.split() for alt in element.strip("?!").split("|")
    }
    used |= set(data.silencers) | {c for cs in data.upgrades.values() for c in cs}
    missing = {name for name in [*used, *REQUIRED_CONCEPTS] if _CONCEPT_NAME.match(name)} - known
    if missing:
        raise ContentError(f"detector/{data.locale}: unknown concepts {sorted(missing)}")
    silenced = {c for categories in data.silencers.values() for c in categories}
    unknown = (silenced | data.negatable | data.upgrades.keys()) - set(CATEGORIES)
    if unknown:
        raise ContentError(f"detector/{data.locale}: unknown categories {sorted(unknown)}")
    unread = [other for other in data.also_read if other == data.locale or not has_detector(other)]
    if unread:
        raise ContentError(f"detector/{data.locale}: also_read names no other detector: {unread}")
