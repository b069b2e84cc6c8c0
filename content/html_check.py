"""Checks text against Telegram's HTML rules before Telegram has to refuse it.

Telegram answers 400 for an unknown tag, an unclosed tag or a stray ``<``;
checking our own templates at start turns that into a startup error instead
of a silent failure in someone's chat.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

HtmlProblem = str

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_TAG = re.compile(r"<[^>]*>")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[HtmlProblem] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"unsupported tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"unexpected </{tag}>")
            return
        self.open.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.problems.append(f"unknown entity &{name};")


def check_telegram_html(text: str) -> list[HtmlProblem]:
    """What Telegram would refuse in *text*, as short descriptions (empty: fine)."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    problems = checker.problems
    if checker.open:
        problems.append("unclosed " + ", ".join(f"<{tag}>" for tag in checker.open))
    stray_amp = re.sub(_ENTITY, "", _TAG.sub("", text))
    if "&" in stray_amp:
        problems.append("a bare '&' that should be &amp;")
    if "<" in _TAG.sub("", text):
        problems.append("a bare '<' that should be &lt;")
    return problems


def visible_length(text: str) -> int:
    """Length as Telegram counts it: tags removed, entities decoded, UTF-16 units."""
    visible = html.unescape(_TAG.sub("", text))
    return len(visible.encode("utf-16-le")) // 2
