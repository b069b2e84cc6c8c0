"""How far each locale's translation is: ``python -m content.status [locale ...]``.

For every locale that is on (or the ones named), it lists the keys the locale lacks
(shown in English until written), the texts identical to English (likely not
translated yet) and the errors that would stop the bot at start: keys English does
not have, placeholders other than English's, broken HTML, texts over Telegram's
limits. It exits 1 when any locale has an error, else 0.

``--locales DIR`` reads another locales folder (one holding ``en`` too), so a
locale can be checked before it is copied into content/.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from content import (
    DEFAULT_LOCALE,
    LOCALES_DIR,
    Catalog,
    ContentError,
    locale_problems,
    locales,
    own_texts,
    with_fallback,
)

_MARKUP = re.compile(r"<[^>]+>|\{[^}]*\}")
SHOWN = 10  # keys listed per heading; the count says how many more
# Lists the code reads as data, never shown, so the same in every language.
DATA_LISTS = ("empathy_prompts.*.roles", "empathy_prompts.*.steps")


@dataclass(frozen=True)
class Status:
    locale: str
    missing: tuple[str, ...]
    identical: tuple[str, ...]
    errors: tuple[str, ...]


def has_words(text: str) -> bool:
    """Whether *text* says anything beyond its placeholders and tags (a text that is
    only ``{name}`` reads the same in every language)."""
    return any(char.isalpha() for char in _MARKUP.sub("", text))


def identical_to_english(own: Catalog, english: Catalog) -> list[str]:
    same_texts = [
        key for key, text in own.texts.items() if english.texts.get(key) == text and has_words(text)
    ]
    same_lists = [
        key
        for key, words in own.lists.items()
        if english.lists.get(key) == words and not _is_data(key)
    ]
    return same_texts + same_lists


def _is_data(key: str) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in DATA_LISTS)


def status(locale: str, root: Path = LOCALES_DIR) -> Status:
    english, own = own_texts(DEFAULT_LOCALE, root), own_texts(locale, root)
    errors = locale_problems(own, english)
    merged = with_fallback(own, english)
    try:
        merged.validate()
    except ContentError as error:
        errors += str(error).split(": ", 1)[1].split("; ")
    return Status(locale, merged.fallback, tuple(identical_to_english(own, english)), tuple(errors))


def report(state: Status) -> str:
    lines = [
        f"{state.locale}: {len(state.missing)} missing, {len(state.identical)} "
        f"identical to English, {len(state.errors)} errors"
    ]
    for heading, keys in (
        ("missing (shown in English)", state.missing),
        ("identical to English (translated?)", state.identical),
        ("errors (the bot will not start)", state.errors),
    ):
        if keys:
            lines.append(f"  {heading}:")
            lines += [f"    {key}" for key in keys[:SHOWN]]
            if len(keys) > SHOWN:
                lines.append(f"    ... and {len(keys) - SHOWN} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m content.status", description=__doc__)
    parser.add_argument("locale", nargs="*", help="locales to check (default: every one on)")
    parser.add_argument(
        "--locales",
        type=Path,
        default=LOCALES_DIR,
        metavar="DIR",
        help="the locales folder to read (default: content/locales)",
    )
    args = parser.parse_args(argv)
    chosen = args.locale or [loc for loc in locales(args.locales) if loc != DEFAULT_LOCALE]
    states = [status(locale, args.locales) for locale in chosen]
    print("\n".join(report(state) for state in states) or "English is the only locale.")
    return 1 if any(state.errors for state in states) else 0


if __name__ == "__main__":
    sys.exit(main())
