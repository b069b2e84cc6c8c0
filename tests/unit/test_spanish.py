"""Spanish is whole: every text of the catalog, and every question of every flow as a
Spanish reader sees it, rendered with no English left and no placeholder unfilled.

"No English" is checked three ways: no key is shown from the English fallback, no
text reads the same as its English one (but for the short list below), and no
common English word is left in what the reader sees.
"""

from __future__ import annotations

import re
import string
from typing import Any

import pytest

from bot.telegram.render import Renderer
from content import Catalog, Markup, catalog
from content.status import has_words
from flows import FLOWS
from flows.engine import ButtonPress, Context, Session
from flows.router import route

SPANISH, ENGLISH = catalog("es"), catalog("en")
# The same in both languages on purpose: names, and words Spanish shares with English.
SAME_IN_ENGLISH = {
    "language.names.en",
    "language.names.es",  # each language by its own name
    "onboarding.safety_no",  # "No"
    "zones.America/Denver",
    "zones.America/Sao_Paulo",
    "zones.Asia/Kolkata",  # place names
}
# Words of English no Spanish text has; one found is an English text left behind.
ENGLISH_WORDS = re.compile(
    r"\b(?:the|you|your|and|with|what|this|that|is|are|for|when|"
    r"will|have|it|of|to|from|about|here|there)\b",
    re.IGNORECASE,
)
UNFILLED = re.compile(r"\{\w*\}")
COUNTS = (0, 1, 2, 5, 21, 1_000_000)  # every CLDR category Spanish and English use
NOW_CONTEXT = dict(find_zone_by_name=lambda _: None, find_zone_at=lambda _lat, _lon: None)
READER = ("Europe/Madrid", None)  # zone and country of the Spanish reader


def sample_values(words: Catalog, key: str, count: int = 3) -> dict[str, Any]:
    names = words.placeholders(key)
    return {name: count if name == "count" else Markup("Ana") for name in names}


def forms_of(words: Catalog, key: str) -> list[dict[str, Any]]:
    if key in words.plurals:
        return [sample_values(words, key, count) for count in COUNTS]
    return [sample_values(words, key)]


def visible(text: str) -> str:
    """The words as the reader sees them, without tags, commands and links."""
    return re.sub(r"<[^>]+>|/\w+|https?://\S+", " ", text)


def test_spanish_needs_nothing_from_english():
    assert SPANISH.locale == "es" and SPANISH.fallback == ()


@pytest.mark.parametrize("key", sorted(SPANISH.texts))
def test_every_text_renders_in_spanish(key):
    for values in forms_of(SPANISH, key):
        spanish, english = SPANISH.text(key, **values), ENGLISH.text(key, **values)
        assert not UNFILLED.search(spanish), f"{key}: a placeholder left unfilled"
        if key in SAME_IN_ENGLISH or not has_words(SPANISH.texts[key]):
            continue
        assert spanish != english, f"{key} reads as in English: {spanish!r}"
        assert not ENGLISH_WORDS.search(visible(spanish)), f"{key} has English: {spanish!r}"


def test_every_list_is_spanish_where_it_has_words():
    data = re.compile(r"empathy_prompts\.\w+\.(?:roles|steps)")
    for key, words in SPANISH.lists.items():
        if not data.fullmatch(key):
            assert words != ENGLISH.lists[key], f"{key} reads as in English"


class Recording:
    """A catalog that notes every key it renders, to find any shown from the fallback."""

    def __init__(self, words: Catalog) -> None:
        self.words, self.used = words, set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.words, name)

    def text(self, key: str, **params: Any) -> str:
        self.used.add(key)
        return self.words.text(key, **params)

    def plain(self, key: str) -> str:
        self.used.add(key)
        return self.words.plain(key)


def shown(calls) -> list[str]:
    """Every text and button label the reader sees in *calls*."""
    seen = []
    for call in calls:
        seen.append(call.params.get("text") or call.params.get("caption") or "")
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []) + markup.get("keyboard", []):
            seen.extend(button["text"] for button in row)
    return seen


QUESTIONS = [
    (flow.name, state.name)
    for flow in FLOWS.values()
    for state in flow.states.values()
    if not state.effect and not state.ends
]


@pytest.mark.parametrize(("flow", "state"), QUESTIONS)
def test_every_question_of_every_flow_reads_in_spanish(flow, state):
    from datetime import UTC, datetime

    context = Context(
        now=datetime(2026, 5, 4, 19, 0, tzinfo=UTC),
        locale="es",
        profile={"onboarded": True, "consent": "yes", "safety": "no", "role": "broke"},
        **NOW_CONTEXT,
    )
    options = FLOWS[flow].state(state).options
    # A stale button asks the question again, as it stands, with nothing typed yet.
    stale = ButtonPress(seq=3, value=options[0].value if options else "x", message_id=41)
    question = route(Session(flow=flow, state=state, seq=7, data={}), stale, context).actions[-1]
    words = Recording(SPANISH)
    spanish = shown(Renderer(words, *READER).render(question, chat_id=1))
    english = shown(Renderer(ENGLISH, *READER).render(question, chat_id=1))
    assert not words.used & set(SPANISH.fallback)
    labels = {SPANISH.plain(key) for key in words.used if key in SAME_IN_ENGLISH}
    # Buttons the flow names itself (countries, zones) in the reader's language, so
    # the same in both renderings here: only the English-words check applies to them.
    labels |= {button.text for row in question.buttons for button in row if button.text}
    for seen, in_english in zip(spanish, english, strict=True):
        assert not UNFILLED.search(seen), f"{flow}.{state}: unfilled in {seen!r}"
        if seen in labels or not has_words(seen):
            continue
        assert seen != in_english, f"{flow}.{state} reads as in English: {seen!r}"
        assert not ENGLISH_WORDS.search(visible(seen)), f"{flow}.{state}: English in {seen!r}"


def test_the_sample_values_fill_every_placeholder():
    for key in SPANISH.texts:
        names = {
            name
            for form in (SPANISH.plurals.get(key) or {"": SPANISH.texts[key]}).values()
            for _, name, _, _ in string.Formatter().parse(form)
            if name
        }
        assert names <= set(sample_values(SPANISH, key))
