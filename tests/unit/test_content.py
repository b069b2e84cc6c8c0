"""Content is complete and sendable: keys exist, HTML is valid, buttons fit Telegram."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from content import Catalog, ContentError, Markup, catalog, check_telegram_html
from flows import FLOWS, content_keys
from flows.engine import callback_data

ROOT = Path(__file__).resolve().parents[2]
_KEY_LITERAL = re.compile(
    r'"((?:common|menu|onboarding|settings|answers|causes|zones|days)'
    r"\.[a-z_]+(?:\.[a-z_]+)?|sos|help|privacy|welcome_back|"
    r'crisis_detected|crisis_after)"'
)


def test_every_key_a_flow_declares_exists():
    catalog().validate(content_keys())


def test_every_key_written_in_code_exists():
    words = catalog()
    for folder in ("flows", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in _KEY_LITERAL.findall(path.read_text(encoding="utf-8")):
                assert words.has(key), f"{path.name} uses missing content key {key!r}"


def test_every_command_has_a_description():
    from flows.router import COMMANDS

    words = catalog()
    for name in COMMANDS:
        assert 3 <= len(words.plain(f"commands.{name}")) <= 256


def test_callback_data_fits_64_bytes_even_late_in_a_long_conversation():
    for flow in FLOWS.values():
        for state in flow.states.values():
            for option in state.options:
                assert len(callback_data(9_999_999, option.value).encode()) <= 64


def test_user_words_are_escaped():
    words = catalog()
    filled = words.text("onboarding.zone_not_found", query="<script>&</script>")
    assert "<script>" not in filled and "&lt;script&gt;&amp;" in filled
    assert not check_telegram_html(filled)


def test_markup_is_passed_through():
    words = catalog()
    assert "<b>x</b>" in words.text("onboarding.zone_not_found", query=Markup("<b>x</b>"))


@pytest.mark.parametrize("broken", ["<b>open", "<blink>x</blink>", "a & b", "1 < 2", "</i>"])
def test_broken_html_is_refused_at_load(broken):
    with pytest.raises(ContentError):
        Catalog(locale="xx", texts={"k": broken}).validate()


def test_missing_keys_are_refused_at_load():
    with pytest.raises(ContentError, match="missing text 'nope'"):
        catalog().validate(["nope"])


def test_unknown_locale_falls_back_to_english():
    assert catalog("zz").locale == "en"
