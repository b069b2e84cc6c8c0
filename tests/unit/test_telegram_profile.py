"""What Telegram shows of the bot before anyone writes, in every locale, fits Telegram's limits."""

from __future__ import annotations

import pytest

from content import catalog, locales
from flows.commands import MENU_COMMANDS

LIMITS = {"telegram.description": 512, "telegram.short_description": 120}


@pytest.mark.parametrize("locale", locales())
def test_the_profile_and_menu_fit_telegram_in_every_locale(locale):
    words = catalog(locale)
    for key, limit in LIMITS.items():
        assert 1 <= len(words.plain(key)) <= limit, (locale, key)
    for name in MENU_COMMANDS:
        assert 1 <= len(words.plain(f"commands.{name}")) <= 256, (locale, name)
