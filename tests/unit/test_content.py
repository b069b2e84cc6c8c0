"""Content is complete and sendable: keys exist, HTML is valid, buttons fit Telegram."""

from __future__ import annotations

import pytest

from content import Catalog, ContentError, Markup, catalog, check_telegram_html
from flows import FLOWS
from flows.engine import callback_data


def _keys_used_by_flows() -> set[str]:
    keys = set()
    for flow in FLOWS.values():
        for state in flow.states.values():
            keys.update(state.prompt)
            keys.update(option.label for option in state.options)
            keys.update(option.also_say for option in state.options if option.also_say)
            if state.place:
                keys.add(state.place.button)
    return keys


def test_every_key_a_flow_uses_exists():
    catalog().validate(_keys_used_by_flows())


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
