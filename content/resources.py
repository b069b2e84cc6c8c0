"""Crisis resources chosen for the reader: by the country of their time zone,
else by their language, always ending with an international directory.

The numbers live in resources.yaml with their source and the date each was
checked; the words around them live in the locale files (``resources.*``).
Run ``python -m content.resources`` to list the entries, oldest check first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

from content import Catalog, ContentError, Markup

RESOURCES_FILE = Path(__file__).parent / "resources.yaml"
KINDS = ("emergency", "crisis", "abuse", "behaviour")
# Lines for people worried about their own behaviour: shown only to them, never in the list.
BEHAVIOUR = "behaviour"


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    contact: str
    source: str
    checked: date
    unconfirmed: str = ""  # why it could not be checked; such an entry is never shown


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    entries: tuple[Resource, ...]


@dataclass(frozen=True)
class Directory:
    countries: dict[str, Country]
    eu_members: frozenset[str]
    by_language: dict[str, tuple[str, ...]]
    international: tuple[Resource, ...]

    def for_reader(
        self, zone: str | None, locale: str, country: str | None = None
    ) -> tuple[Country, ...]:
        """The countries to show: the reader's own if known (the one they chose, else
        their zone's), else their language's."""
        code = self.listed(country or (country_of_zone(zone) if zone else None))
        if code is not None:
            return (self.countries[code],)
        return tuple(self.countries[c] for c in self.by_language.get(locale, ()))

    def listed(self, code: str | None) -> str | None:
        """The entry that serves country *code* (an EU member without its own: the EU's)."""
        if code in self.eu_members and code not in self.countries:
            code = "EU"
        return code if code in self.countries else None

    def country_choices(self, locale: str) -> list[tuple[str, str]]:
        """(code, name) to pick one's country from: the language's first, then the rest."""
        first = list(self.by_language.get(locale, ()))
        rest = sorted(
            (c for c in self.countries if c not in first and c != "EU"),
            key=lambda c: country_name(self.countries[c], locale).removeprefix("the "),
        )
        return [(code, country_name(self.countries[code], locale)) for code in [*first, *rest]]


def country_name(country: Country, locale: str) -> str:
    """The country's name in *locale*: as resources.yaml writes it in English (with
    "the" where a sentence needs it), else as CLDR names it (Babel), "España"."""
    if locale == "en":
        return country.name
    return Locale.parse(locale).territories.get(country.code, country.name)


def resources_markup(words: Catalog, zone: str | None, country: str | None = None) -> Markup:
    """The lines a crisis message shows this reader, as Telegram HTML."""
    countries = directory().for_reader(zone, words.locale, country)
    if len(countries) == 1:
        lines = [
            words.text("resources.in_country", country=country_name(countries[0], words.locale))
        ]
        lines += [_line(words, entry) for entry in countries[0].entries if entry.kind != BEHAVIOUR]
    else:
        lines = [_compact_line(words, country) for country in countries]
    lines.append(words.text("resources.elsewhere"))
    lines += [_line(words, entry) for entry in directory().international]
    return Markup("\n".join(lines))


def behaviour_markup(words: Catalog, zone: str | None, country: str | None = None) -> Markup:
    """The lines for people worried about their own behaviour in the reader's country,
    or nothing when it has none (or the country is unknown)."""
    countries = directory().for_reader(zone, words.locale, country)
    if len(countries) != 1:
        return Markup("")
    return Markup(
        "\n".join(_line(words, entry) for entry in countries[0].entries if entry.kind == BEHAVIOUR)
    )


def _line(words: Catalog, entry: Resource) -> str:
    return words.text("resources.line", name=entry.name, contact=entry.contact)


def _compact_line(words: Catalog, country: Country) -> str:
    numbers = Markup(
        ", ".join(
            words.text(f"resources.kind_{entry.kind}", contact=entry.contact)
            for entry in country.entries
            if entry.kind != BEHAVIOUR
        )
    )
    return words.text(
        "resources.country_line", country=country_name(country, words.locale), numbers=numbers
    )


# ---------------------------------------------------------------- loading


@cache
def directory() -> Directory:
    raw = yaml.safe_load(RESOURCES_FILE.read_text(encoding="utf-8"))
    countries = {
        code: Country(code, body["name"], _shown(_entries(code, body["entries"])))
        for code, body in raw["countries"].items()
    }
    by_language = {lang: tuple(codes) for lang, codes in raw["by_language"].items()}
    unknown = {c for codes in by_language.values() for c in codes} - countries.keys()
    if unknown:
        raise ContentError(f"resources: by_language names unlisted countries {sorted(unknown)}")
    return Directory(
        countries,
        frozenset(raw["eu_members"]),
        by_language,
        _entries("international", raw["international"]),
    )


def _entries(where: str, items: list[dict[str, Any]]) -> tuple[Resource, ...]:
    entries = []
    for item in items:
        entry = Resource(**item)
        if entry.kind not in KINDS or not isinstance(entry.checked, date):
            raise ContentError(f"resources: {where}: {entry.name} needs a kind and a date")
        if not entry.source.startswith(("https://", "http://")):
            raise ContentError(f"resources: {where}: {entry.name} needs its source")
        if "unconfirmed" in item and not str(item["unconfirmed"]).strip():
            raise ContentError(f"resources: {where}: {entry.name}: say why it is unconfirmed")
        entries.append(entry)
    return tuple(entries)


def _shown(entries: tuple[Resource, ...]) -> tuple[Resource, ...]:
    return tuple(entry for entry in entries if not entry.unconfirmed)


@cache
def _zone_countries() -> dict[str, str]:
    """Time zone -> ISO country code, from tzdata's zone.tab (one zone, one country)."""
    table = package_files.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    pairs = (line.split("\t") for line in table.splitlines() if line and line[0] != "#")
    return {fields[2]: fields[0] for fields in pairs}


def country_of_zone(zone: str) -> str | None:
    """The ISO 3166 code of the country a time zone belongs to (Europe/London: GB)."""
    return _zone_countries().get(zone)


def _report() -> None:
    raw = yaml.safe_load(RESOURCES_FILE.read_text(encoding="utf-8"))
    every = [
        (code, e)
        for code, body in raw["countries"].items()
        for e in _entries(code, body["entries"])
    ]
    every += [("international", e) for e in directory().international]
    for code, entry in sorted(every, key=lambda pair: pair[1].checked):
        mark = f"  UNCONFIRMED, not shown: {entry.unconfirmed}" if entry.unconfirmed else ""
        print(f"{entry.checked}  {code:13} {entry.name}: {entry.contact}  ({entry.source}){mark}")


if __name__ == "__main__":
    _report()

__all__ = [
    "Directory",
    "Resource",
    "behaviour_markup",
    "country_of_zone",
    "directory",
    "resources_markup",
]
