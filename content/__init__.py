"""Every word the bot says, loaded from per-locale YAML and checked at start.

Texts are Telegram HTML templates with ``{name}`` placeholders. Values are
escaped when filled, so a user's words can never turn into markup; code that
already holds safe markup wraps it in :class:`Markup`.

A line that is only a placeholder filled with nothing (an optional part that
was skipped) goes, and so does the blank line it would leave; a full stop right
after a value that already ends a sentence goes too. A text whose
words depend on a number is written as its plural forms, keyed by CLDR plural
category (``one:``, ``other:``, and for other languages ``zero``, ``two``,
``few``, ``many``), and the form is chosen by its ``count`` parameter.

A locale is on when its marker file ``locales/<locale>.yaml`` exists. A key it
lacks is shown in English (key by key), and :func:`validate_locales` checks at
start that every locale has only English's keys, with the same placeholders.
``python -m content.status`` says what each locale still lacks.
"""

from __future__ import annotations

import html
import logging
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import babel
import yaml

from content.html_check import HtmlProblem, check_telegram_html, visible_length

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
# A line that is only a placeholder, perhaps in tags or quotes ("<i>{note}</i>").
_ALONE = re.compile(r"(?:<\w+>|[“‘])*\{(\w+)\}(?:</\w+>|[”’])*")
# A placeholder, maybe a closing quote or tag, then a full stop: doubled if the value ends one.
_STOP_AFTER = re.compile(r"\{(\w+)\}(?:[”’\"]|</\w+>)*\.")
_ENDS_SENTENCE = (".", "!", "?", "…")
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's names
COUNT = "count"  # the parameter that chooses a plural form

__all__ = [
    "Catalog",
    "ContentError",
    "HtmlProblem",
    "Markup",
    "catalog",
    "check_telegram_html",
    "validate_locales",
    "visible_length",
]

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "en"
MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64


class ContentError(ValueError):
    """The content files are inconsistent; raised at start, never mid-chat."""


class Markup(str):
    """A string that is already valid Telegram HTML and must not be escaped."""


@dataclass(frozen=True)
class Catalog:
    locale: str
    texts: Mapping[str, str]
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Texts written as plural forms: key -> {CLDR category: text}; ``texts`` holds "other".
    plurals: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Keys this locale lacks, so shown in English (in English's order).
    fallback: tuple[str, ...] = ()

    def has(self, key: str) -> bool:
        return key in self.texts

    def text(self, key: str, **params: Any) -> str:
        """The HTML text for *key* with *params* escaped into it."""
        template = self._template(key, params.get(COUNT))
        if not params:
            return template
        safe = {name: _escape(value) for name, value in params.items()}
        return _without_doubled_stops(_without_empty_lines(template, safe), safe).format(**safe)

    def _template(self, key: str, count: Any) -> str:
        forms = self.plurals.get(key)
        if forms is None or count is None:
            return self.texts[key]
        return forms.get(plural_category(self.locale, count), forms["other"])

    def plain(self, key: str) -> str:
        """The text for *key* as plain words (for button labels and toasts)."""
        return html.unescape(self.texts[key])

    def words(self, key: str) -> tuple[str, ...]:
        return self.lists[key]

    def fixed_words(self, key: str) -> str:
        """A recognisable piece of the text as the user sees it, for those who read the
        chat from outside (tests, benchmarks): the longest run of fixed words in its first
        line, since placeholders are filled differently each time."""
        visible = html.unescape(_TAG.sub("", self.texts[key])).split("\n")[0]
        runs = [" ".join(run.split()) for run in _PLACEHOLDER.split(visible)]
        return max(runs, key=len)[:40].strip(" “”,.:")

    def section(self, prefix: str) -> dict[str, str]:
        """All texts under ``prefix.``, keyed by the rest of their key, in file order."""
        start = prefix + "."
        return {k[len(start) :]: v for k, v in self.texts.items() if k.startswith(start)}

    def placeholders(self, key: str) -> set[str]:
        """The names *key* fills, in all its plural forms together."""
        forms = self.plurals.get(key) or {"other": self.texts[key]}
        return {name for form in forms.values() for name in _names(form)}

    def validate(self, required_keys: Iterable[str] = ()) -> None:
        """Fail loudly at start when a text is missing, malformed or too long."""
        problems = [f"missing text {key!r}" for key in required_keys if key not in self.texts]
        for key, template in self.texts.items():
            problems.extend(_template_problems(key, template))
        for key, forms in self.plurals.items():
            problems.extend(_plural_problems(key, forms))
        if problems:
            raise ContentError(f"content/{self.locale}: " + "; ".join(problems))


def plural_category(locale: str, count: Any) -> str:
    """The CLDR plural category of *count* in *locale* ("one", "few", "many", ...), by
    Babel's rules for the language; a form the text does not write falls back to
    "other" (Spanish's "many" for a million, say)."""
    if isinstance(count, bool) or not isinstance(count, int | float | Decimal):
        return "other"
    if isinstance(count, float):  # as shown: 1.0 has a visible decimal, so it is not "one"
        count = Decimal(repr(count))
    return _locale(locale).plural_form(count)


@cache
def _locale(locale: str) -> babel.Locale:
    return babel.Locale.parse(locale)


def _without_empty_lines(template: str, safe: Mapping[str, str]) -> str:
    """The template without the lines of placeholders filled with nothing, and without
    the blank lines that would leave two in a row (or one at either end)."""
    if "" not in safe.values():
        return template
    kept: list[str] = []
    for line in template.split("\n"):
        alone = _ALONE.fullmatch(line.strip())
        if alone and safe.get(alone.group(1)) == "":
            continue
        if not line.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def _without_doubled_stops(template: str, safe: Mapping[str, str]) -> str:
    """No full stop after a value that already ends a sentence: “on the table.”, not
    “on the table.”. (people end their own words with one, or with ! or ?)."""

    def stop(match: re.Match[str]) -> str:
        value = str(safe.get(match.group(1), "")).rstrip()
        return match.group(0)[:-1] if value.endswith(_ENDS_SENTENCE) else match.group(0)

    return _STOP_AFTER.sub(stop, template)


def _plural_problems(key: str, forms: Mapping[str, str]) -> list[str]:
    problems = [
        problem
        for form, template in forms.items()
        for problem in _template_problems(f"{key} ({form})", template)
    ]
    if "{" + COUNT + "}" not in forms["other"]:
        problems.append(f"{key}: its 'other' form must show {{{COUNT}}}")
    return problems


def _is_plural(node: Mapping[str, Any]) -> bool:
    return (
        bool(node)
        and "other" in node
        and set(node) <= set(PLURAL_CATEGORIES)
        and all(isinstance(form, str) for form in node.values())
    )


def _escape(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return html.escape(str(value), quote=False)


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _template_problems(key: str, template: str) -> list[str]:
    # Fill every placeholder with a harmless word so the markup can be checked
    # as Telegram will see it.
    try:
        names = _names(template)
        sample = template.format(**{name: "x" for name in names})
    except (KeyError, IndexError, ValueError) as error:
        return [f"{key}: bad placeholder ({error})"]
    problems = [f"{key}: {problem}" for problem in check_telegram_html(sample)]
    if visible_length(sample) > MAX_MESSAGE_CHARS:
        problems.append(f"{key}: longer than {MAX_MESSAGE_CHARS} characters")
    return problems


def _flatten(node: Mapping[str, Any], prefix: str = "") -> tuple[dict, dict, dict]:
    texts: dict[str, str] = {}
    lists: dict[str, tuple[str, ...]] = {}
    plurals: dict[str, dict[str, str]] = {}
    for name, value in node.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and _is_plural(value):
            plurals[key] = {form: text.strip() for form, text in value.items()}
            texts[key] = plurals[key]["other"]
        elif isinstance(value, Mapping):
            sub_texts, sub_lists, sub_plurals = _flatten(value, key + ".")
            texts.update(sub_texts)
            lists.update(sub_lists)
            plurals.update(sub_plurals)
        elif isinstance(value, list):
            lists[key] = tuple(str(item) for item in value)
        elif isinstance(value, str):
            texts[key] = value.strip()
        else:
            raise ContentError(f"{key}: expected text, list or section, got {type(value).__name__}")
    return texts, lists, plurals


def locales(root: Path = LOCALES_DIR) -> list[str]:
    """Every locale that is on (its marker file exists), English first."""
    found = sorted(path.stem for path in root.glob("*.yaml"))
    return sorted(found, key=lambda locale: locale != DEFAULT_LOCALE)


def locale_files(locale: str, root: Path = LOCALES_DIR) -> list[Path]:
    """``<locale>.yaml`` (the marker, if it is there yet), then one file per concern
    under ``<locale>/``, in name order."""
    marker = root / f"{locale}.yaml"
    return [*([marker] if marker.exists() else []), *sorted((root / locale).glob("*.yaml"))]


def _load(files: list[Path]) -> tuple[dict, dict, dict]:
    texts: dict[str, str] = {}
    lists: dict[str, tuple[str, ...]] = {}
    plurals: dict[str, dict[str, str]] = {}
    for path in files:
        more_texts, more_lists, more_plurals = _flatten(
            yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        )
        clashes = (texts.keys() | lists.keys()) & (more_texts.keys() | more_lists.keys())
        if clashes:
            raise ContentError(f"{path.name}: already defined elsewhere: {sorted(clashes)}")
        texts.update(more_texts)
        lists.update(more_lists)
        plurals.update(more_plurals)
    return texts, lists, plurals


def own_texts(locale: str, root: Path = LOCALES_DIR) -> Catalog:
    """What *locale*'s own files say, without English filling its gaps (not validated)."""
    texts, lists, plurals = _load(locale_files(locale, root))
    return Catalog(locale=locale, texts=texts, lists=lists, plurals=plurals)


def with_fallback(own: Catalog, english: Catalog) -> Catalog:
    """*own* with English's text for every key it lacks, in English's order.

    Keys English does not have are left out here; :func:`locale_problems` names them.
    """

    def pick(key: str) -> Catalog:
        return own if key in own.texts else english

    texts = {key: pick(key).texts[key] for key in english.texts}
    plurals = {
        key: forms for key in english.texts if (forms := pick(key).plurals.get(key)) is not None
    }
    lists = {key: own.lists.get(key, words) for key, words in english.lists.items()}
    missing = [
        key
        for key in (*english.texts, *english.lists)
        if key not in own.texts and key not in own.lists
    ]
    return Catalog(
        locale=own.locale, texts=texts, lists=lists, plurals=plurals, fallback=tuple(missing)
    )


def locale_problems(own: Catalog, english: Catalog) -> list[str]:
    """What would make *own* wrong to show: keys English lacks, a text where English
    has a list (or the other way round), and placeholders other than English's."""
    problems = [
        f"{key}: not an English key"
        for key in (*own.texts, *own.lists)
        if key not in english.texts and key not in english.lists
    ]
    problems += [
        f"{key}: a list in English, a text here" for key in own.texts if key in english.lists
    ]
    problems += [
        f"{key}: a text in English, a list here" for key in own.lists if key in english.texts
    ]
    for key in own.texts.keys() & english.texts.keys():
        ours, theirs = own.placeholders(key), english.placeholders(key)
        if ours != theirs:
            problems.append(f"{key}: placeholders {sorted(ours)}, English has {sorted(theirs)}")
    return sorted(problems)


def _unknown_language(locale: str) -> list[str]:
    try:
        _locale(locale)
    except (ValueError, babel.UnknownLocaleError):
        return [f"{locale!r} is not a language CLDR knows (plural rules, dates)"]
    return []


def load_catalog(locale: str, root: Path = LOCALES_DIR) -> Catalog:
    """The validated catalog for *locale* read from *root*, English where it has no text."""
    english = own_texts(DEFAULT_LOCALE, root)
    if locale == DEFAULT_LOCALE or not (root / f"{locale}.yaml").exists():
        english.validate()
        return english
    own = own_texts(locale, root)
    problems = locale_problems(own, english) + _unknown_language(locale)
    if problems:
        raise ContentError(f"content/{locale}: " + "; ".join(problems))
    loaded = with_fallback(own, english)
    loaded.validate()
    return loaded


@cache
def catalog(locale: str = DEFAULT_LOCALE) -> Catalog:
    """The validated catalog for *locale*, falling back to English for unknown ones."""
    return load_catalog(locale)


def validate_locales(required_keys: Iterable[str] = (), root: Path = LOCALES_DIR) -> None:
    """The start-up check: every locale that is on loads and has what the flows need;
    the keys a locale still shows in English are logged once, one line per locale."""
    required = tuple(required_keys)
    for locale in locales(root):
        words = load_catalog(locale, root)
        words.validate(required)
        if words.fallback:
            log.warning(
                "content/%s: %d texts shown in English, e.g. %s",
                locale,
                len(words.fallback),
                ", ".join(words.fallback[:5]),
            )
