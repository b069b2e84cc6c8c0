"""Locales beside English: key-by-key fallback, the start-up check, the status command."""

from __future__ import annotations

import logging
import textwrap

import pytest

from content import ContentError, load_catalog, locales, plural_category, validate_locales
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
    root = write_locales(tmp_path, fr="greet: Hola, {name}.\n")
    words = load_catalog("fr", root)
    assert words.locale == "fr"
    assert words.text("greet", name="Ana") == "Hola, Ana."
    assert words.text("bye") == "Goodbye."
    assert words.plain("menu.open") == "Open"
    assert words.text("days", count=2) == "2 days"
    assert words.fallback == ("bye", "menu.open", "days")


def test_a_locale_without_its_marker_is_off(tmp_path):
    root = write_locales(tmp_path, fr="greet: Hola, {name}.\n")
    (root / "fr.yaml").unlink()
    assert locales(root) == ["en"]
    assert load_catalog("fr", root).locale == "en"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("greet: Hola, {name}.\nextra: ¿Qué?\n", "extra: not an English key"),
        ("greet: Hola, {nombre}.\n", "greet: placeholders ['nombre'], English has ['name']"),
        ("greet: Hola.\n", "greet: placeholders [], English has ['name']"),
        ("days:\n  one: un día\n  other: '{count} días {n}'\n", "days: placeholders"),
        ("menu: [a, b]\n", "menu: not an English key"),
        ("greet: <b>Hola, {name}.\n", "greet: unclosed <b>"),
    ],
)
def test_a_locale_that_would_break_a_message_is_refused_at_start(tmp_path, text, problem):
    root = write_locales(tmp_path, fr=text)
    with pytest.raises(ContentError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        validate_locales(root=root)


def test_a_plural_form_may_leave_out_the_count_where_the_language_says_it_in_words(tmp_path):
    root = write_locales(tmp_path, fr="days:\n  one: un día\n  other: '{count} días'\n")
    assert load_catalog("fr", root).text("days", count=1) == "un día"


def test_start_up_logs_each_half_done_locale_once(tmp_path, caplog):
    root = write_locales(tmp_path, fr="greet: Hola, {name}.\n", de="bye: Adiós.\n")
    with caplog.at_level(logging.WARNING, logger="content"):
        validate_locales(root=root)
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "content/de: 3 texts shown in English, e.g. greet, menu.open, days",
        "content/fr: 3 texts shown in English, e.g. bye, menu.open, days",
    ]


def test_status_lists_what_a_locale_lacks_and_fails_only_on_errors(tmp_path, capsys):
    root = write_locales(tmp_path, fr="greet: Hola, {name}.\nbye: Goodbye.\n")
    assert status_main(["--locales", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "fr: 2 missing, 1 identical to English, 0 errors",
        "  missing (shown in English):",
        "    menu.open",
        "    days",
        "  identical to English (translated?):",
        "    bye",
    ]

    (tmp_path / "bad").mkdir()
    root = write_locales(tmp_path / "bad", fr="greet: Hola, {nombre}.\n")
    assert status_main(["--locales", str(root)]) == 1
    assert "greet: placeholders ['nombre'], English has ['name']" in capsys.readouterr().out


def test_the_real_locales_pass_the_start_up_check():
    from flows import content_keys

    assert "es" in locales()
    validate_locales(content_keys())


def test_plural_forms_follow_the_languages_own_rules(tmp_path):
    forms = (
        "days:\n  one: '{count} день'\n  few: '{count} дня'\n  many: '{count} дней'\n"
        "  other: '{count} дня'\n"
    )
    root = write_locales(tmp_path, ru=forms)
    words = load_catalog("ru", root)
    assert [words.text("days", count=n) for n in (1, 3, 5, 21, 1.5)] == [
        "1 день",
        "3 дня",
        "5 дней",
        "21 день",
        "1.5 дня",
    ]


def test_spanish_plurals_take_one_for_one_and_other_for_the_rest():
    assert [plural_category("es", n) for n in (0, 1, 2, 1_000_000)] == [
        "other",
        "one",
        "other",
        "many",
    ]  # "many" is not written, so "other" shows
    assert [plural_category("en", n) for n in (0, 1, 2, 1.0, True, "1")] == [
        "other",
        "one",
        "other",
        "other",
        "other",
        "other",
    ]


def test_a_locale_cldr_does_not_know_is_refused_at_start(tmp_path):
    root = write_locales(tmp_path, qq="greet: Hi, {name}.\n")
    with pytest.raises(ContentError, match="not a language CLDR knows"):
        validate_locales(root=root)
