"""Locales beside English: key-by-key fallback, the start-up check, the status command."""

from __future__ import annotations

import logging
import textwrap

import pytest

from content import ContentError, load_catalog, locales, validate_locales
from content.status import main as status_main

ENGLISH = """
greet: Hello, {name}.
bye: Goodbye.
menu:
  open: Open
days:
  one: "{count} day"
  other: "{count} days"
"""


def write_locales(root, **locales_text):
    """A locales folder: English as above, and each named locale's own texts."""
    (root / "en.yaml").write_text("# marker\n", encoding="utf-8")
    (root / "en").mkdir()
    (root / "en" / "all.yaml").write_text(ENGLISH, encoding="utf-8")
    for locale, text in locales_text.items():
        (root / f"{locale}.yaml").write_text("# marker\n", encoding="utf-8")
        (root / locale).mkdir()
        (root / locale / "all.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_a_missing_key_is_shown_in_english_and_the_rest_in_the_locale(tmp_path):
    root = write_locales(tmp_path, xx="greet: Hola, {name}.\n")
    words = load_catalog("xx", root)
    assert words.locale == "xx"
    assert words.text("greet", name="Ana") == "Hola, Ana."
    assert words.text("bye") == "Goodbye."
    assert words.plain("menu.open") == "Open"
    assert words.text("days", count=2) == "2 days"
    assert words.fallback == ("bye", "menu.open", "days")


def test_a_locale_without_its_marker_is_off(tmp_path):
    root = write_locales(tmp_path, xx="greet: Hola, {name}.\n")
    (root / "xx.yaml").unlink()
    assert locales(root) == ["en"]
    assert load_catalog("xx", root).locale == "en"


@pytest.mark.parametrize(("text", "problem"), [
    ("greet: Hola, {name}.\nextra: ¿Qué?\n", "extra: not an English key"),
    ("greet: Hola, {nombre}.\n", "greet: placeholders ['nombre'], English has ['name']"),
    ("greet: Hola.\n", "greet: placeholders [], English has ['name']"),
    ("days:\n  one: un día\n  other: '{count} días {n}'\n", "days: placeholders"),
    ("menu: [a, b]\n", "menu: not an English key"),
    ("greet: <b>Hola, {name}.\n", "greet: unclosed <b>"),
])
def test_a_locale_that_would_break_a_message_is_refused_at_start(tmp_path, text, problem):
    root = write_locales(tmp_path, xx=text)
    with pytest.raises(ContentError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        validate_locales(root=root)


def test_a_plural_form_may_leave_out_the_count_where_the_language_says_it_in_words(tmp_path):
    root = write_locales(tmp_path, xx="days:\n  one: un día\n  other: '{count} días'\n")
    assert load_catalog("xx", root).text("days", count=1) == "un día"


def test_start_up_logs_each_half_done_locale_once(tmp_path, caplog):
    root = write_locales(tmp_path, xx="greet: Hola, {name}.\n", yy="bye: Adiós.\n")
    with caplog.at_level(logging.WARNING, logger="content"):
        validate_locales(root=root)
    lines = [record.getMessage() for record in caplog.records]
    assert lines == ["content/xx: 3 texts shown in English, e.g. bye, menu.open, days",
                     "content/yy: 3 texts shown in English, e.g. greet, menu.open, days"]


def test_status_lists_what_a_locale_lacks_and_fails_only_on_errors(tmp_path, capsys):
    root = write_locales(tmp_path, xx="greet: Hola, {name}.\nbye: Goodbye.\n")
    assert status_main(["--locales", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "xx: 2 missing, 1 identical to English, 0 errors",
        "  missing (shown in English):", "    menu.open", "    days",
        "  identical to English (translated?):", "    bye"]

    (tmp_path / "bad").mkdir()
    root = write_locales(tmp_path / "bad", xx="greet: Hola, {nombre}.\n")
    assert status_main(["--locales", str(root)]) == 1
    assert "greet: placeholders ['nombre'], English has ['name']" in capsys.readouterr().out


def test_the_real_locales_pass_the_start_up_check():
    from flows import content_keys

    assert "es" in locales()
    validate_locales(content_keys())
