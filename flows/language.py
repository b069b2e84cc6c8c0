"""/language: the language Kintsugi speaks to this person in.

Until they choose, their language follows Telegram's (language_code, read on
every update); once they choose here, it stays theirs (``locale_chosen``). The
runtime moves the user's locale when ``locale`` is remembered, so the words
after the choice are already in the new language. One button per locale that
is on (content/locales/<locale>.yaml), each named in its own language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from content import DEFAULT_LOCALE, locales
from flows.engine import Context, Label, Option, State, flow

LOCALE, LOCALE_CHOSEN = "locale", "locale_chosen"  # profile fields; the runtime reads LOCALE too
KEPT_BEFORE_CONSENT = frozenset((LOCALE, LOCALE_CHOSEN))


def language_label(locale: str) -> Label:
    """The reader's language by its own name, English for one not yet written."""
    return Label(f"language.names.{locale if locale in locales() else DEFAULT_LOCALE}")


def _current(_data: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    return {"current": language_label(ctx.locale)}


LANGUAGE = flow(
    "language",
    "choose",
    State(
        "choose",
        ("language.choose",),
        answer=LOCALE,
        params=_current,
        columns=2,
        options=tuple(Option(code, f"language.names.{code}", goto="chosen") for code in locales()),
    ),
    State("chosen", ("language.chosen",), on_enter={LOCALE_CHOSEN: True}, ends=True),
    description="/language: the language I speak with you in; yours from Telegram "
    "until you choose one here.",
    parks=False,
)
