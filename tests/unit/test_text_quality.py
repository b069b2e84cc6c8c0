"""Every text, rendered with sample values, reads like something a person wrote: no
"time(s)" plurals, no doubled punctuation, no runs of blank lines or doubled spaces, also
when an optional part is left empty and when a person's own words end with a full stop
(pure, no I/O)."""

from __future__ import annotations

import html
import re

import pytest

from content import PLURAL_CATEGORIES, catalog

WORDS = catalog()
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"<code>(.*?)</code>", re.S)  # monospaced: spaces there align columns
_DOUBLED = re.compile(r"[.!?,;:][”’\"')]?[.,;:]|(?<![.…])\.\.(?!\.)|,[”’\"]?,")
_PLURAL_HACK = re.compile(r"\w\((?:s|es)\)")
COUNTS = (0, 1, 2, 5, 21)


def _seen(text: str) -> str:
    aligned = _CODE.sub(lambda code: re.sub(" {2,}", " ", code.group(1)), text)
    return html.unescape(_TAG.sub("", aligned))


def _render(key: str, value: str, count: int = 2) -> str:
    params = {name: value for name in WORDS.placeholders(key)}
    if "count" in params:
        params["count"] = count
    return _seen(WORDS.text(key, **params)) if params else _seen(WORDS.text(key))


def _problems(shown: str) -> list[str]:
    found = []
    if _PLURAL_HACK.search(shown):
        found.append("a (s) plural")
    if match := _DOUBLED.search(shown):
        found.append(f"doubled punctuation {match.group(0)!r}")
    if "\n\n\n" in shown or shown != shown.strip("\n"):
        found.append("a run of blank lines")
    if re.search(r"\S  +\S", shown):
        found.append("a doubled space")
    return found


@pytest.mark.parametrize("key", sorted(WORDS.texts))
def test_every_text_reads_cleanly_with_sample_values(key):
    for count in COUNTS if key in WORDS.plurals else (2,):
        assert not _problems(_render(key, "Sam", count)), (key, count, _render(key, "Sam", count))


@pytest.mark.parametrize("key", sorted(WORDS.texts))
def test_an_optional_part_left_empty_leaves_no_blank_lines(key):
    shown = _render(key, "")
    assert "\n\n\n" not in shown and shown == shown.strip("\n"), (key, shown)


@pytest.mark.parametrize("key", sorted(WORDS.texts))
def test_words_that_end_with_a_full_stop_get_no_second_one(key):
    shown = _render(key, "I put my phone on the table.")
    assert not re.search(r"\.[”’\"]?(?:</?\w+>)?\.(?!\.)", shown.replace("...", "…")), (key, shown)


def test_a_plural_text_has_its_other_form_and_only_cldr_categories():
    assert WORDS.plurals, "some texts depend on a number"
    for key, forms in WORDS.plurals.items():
        assert "other" in forms and set(forms) <= set(PLURAL_CATEGORIES), key
        assert "{count}" in forms["other"], key


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (1, "heard once, on 3 May"),
        (2, "heard 2 times, most recently on 3 May"),
        (0, "heard 0 times, most recently on 3 May"),
    ],
)
def test_the_plural_form_follows_the_count(count, shown):
    assert WORDS.text("steps.s2_heard", count=count, date="3 May") == shown


def test_a_number_with_decimals_is_never_one():
    one = WORDS.text("rights.removed_some", count=1)
    assert one == "I removed our last message from this chat."
    assert "1.0 messages" in WORDS.text("rights.removed_some", count=1.0)


def test_the_hurt_partner_is_not_asked_to_tend_the_needs_of_the_one_who_broke_trust():
    from bot.nudges.kinds import empathy_pool

    hurt = {step: empathy_pool("hurt", step) for step in (1, 2, 3)}
    assert "e082" not in hurt[1] and "e073" not in hurt[2] and "e096" not in hurt[3]
    assert "e104" in hurt[1] and "e103" in hurt[2] and "e105" in hurt[3]
    for step in (1, 2, 3):
        for prompt in ("e103", "e104", "e105"):
            assert prompt not in empathy_pool("broke", step)
