"""Telegram's HTML parse_mode: markup -> (visible text, MessageEntity list).

The bot formats with HTML, so the emulator must reject exactly the markup
Telegram rejects (otherwise a bug only shows up in production) and must
measure the visible text the way Telegram does (UTF-16 code units) for the
4096-character limit. Error texts mirror tdlib's ``parse_html`` wording.

Deliberately strict: an ``&`` that does not start ``&lt; &gt; &amp; &quot;``
or a numeric reference is an error here, so unescaped user input is caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playground.emulator.errors import ApiError, bad_request

TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_PLAIN = re.compile(r"[^<&]+")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]*);")


def utf16_len(text: str) -> int:
    """Telegram counts lengths and offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _Open:
    tag: str
    entity: dict[str, object]
    start: int


@dataclass
class _Parser:
    source: str
    pos: int = 0
    chunks: list[str] = field(default_factory=list)
    length: int = 0  # UTF-16 length of the visible text so far
    stack: list[_Open] = field(default_factory=list)
    entities: list[dict[str, object]] = field(default_factory=list)

    def byte_offset(self, pos: int) -> int:
        return len(self.source[:pos].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.chunks.append(text)
        self.length += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, object]]]:
        src = self.source
        while self.pos < len(src):
            plain = _PLAIN.match(src, self.pos)
            if plain:
                self.emit(plain.group())
                self.pos = plain.end()
            elif src[self.pos] == "&":
                self.emit(self.read_entity())
            else:
                self.read_tag()
        if self.stack:
            raise parse_error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=_position)
        return "".join(self.chunks), self.entities

    def read_entity(self) -> str:
        found = _ENTITY.match(self.source, self.pos)
        if not found:
            raise parse_error(
                f'Unescaped "&" at byte offset {self.byte_offset(self.pos)}; use "&amp;"'
            )
        decoded = decode_entity(found.group(1))
        if decoded is None:
            raise parse_error(
                f'Unsupported HTML entity "{found.group()}" at byte offset '
                f"{self.byte_offset(self.pos)}"
            )
        self.pos = found.end()
        return decoded

    def read_tag(self) -> None:
        begin = self.pos
        if self.source.startswith("</", begin):
            self.close_tag(begin)
        else:
            self.open_tag(begin)

    def open_tag(self, begin: int) -> None:
        src = self.source
        name_match = _TAG_NAME.match(src, begin + 1)
        name = name_match.group().lower() if name_match else ""
        if name not in TAG_TYPES:
            if src.find(">", begin) < 0:
                raise parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            raise parse_error(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        assert name_match is not None
        self.pos = name_match.end()
        attrs = self.read_attributes(name, begin)
        entity = self.make_entity(name, attrs, begin)
        self.stack.append(_Open(name, entity, self.length))

    def read_attributes(self, tag: str, begin: int) -> dict[str, str]:
        src = self.source
        attrs: dict[str, str] = {}
        while True:
            while self.pos < len(src) and src[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(src):
                raise parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if src[self.pos] == ">":
                self.pos += 1
                return attrs
            name_match = _ATTR_NAME.match(src, self.pos)
            if not name_match:
                raise parse_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(self.pos)}"
                )
            self.pos = name_match.end()
            attrs[name_match.group().lower()] = self.read_attr_value(tag)

    def read_attr_value(self, tag: str) -> str:
        src = self.source
        if self.pos >= len(src) or src[self.pos] != "=":
            return ""  # a bare attribute such as <blockquote expandable>
        self.pos += 1
        if self.pos < len(src) and src[self.pos] in "\"'":
            quote = src[self.pos]
            end = src.find(quote, self.pos + 1)
            if end < 0:
                raise parse_error(
                    f'Unclosed end of an attribute value in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(self.pos)}"
                )
            raw, self.pos = src[self.pos + 1 : end], end + 1
        else:
            end = self.pos
            while end < len(src) and not src[end].isspace() and src[end] != ">":
                end += 1
            raw, self.pos = src[self.pos : end], end
        return _ENTITY.sub(lambda m: decode_entity(m.group(1)) or m.group(), raw)

    def make_entity(self, tag: str, attrs: dict[str, str], begin: int) -> dict[str, object]:
        entity: dict[str, object] = {"type": TAG_TYPES[tag]}
        if tag == "a":
            entity["url"] = attrs.get("href", "")
        elif tag == "span" and attrs.get("class") != "tg-spoiler":
            raise parse_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        elif tag == "tg-emoji":
            if not attrs.get("emoji-id", "").isdigit():
                raise parse_error(
                    f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            entity["custom_emoji_id"] = attrs["emoji-id"]
        elif tag == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        elif tag == "code" and self.stack and self.stack[-1].tag == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                self.stack[-1].entity["language"] = language[len("language-") :]
            entity["type"] = ""  # code directly inside pre only carries the language
        return entity

    def close_tag(self, begin: int) -> None:
        src = self.source
        end = src.find(">", begin)
        if end < 0:
            raise parse_error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        name = src[begin + 2 : end].strip().lower()
        if not self.stack:
            raise parse_error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        expected = self.stack[-1].tag
        if name != expected:
            raise parse_error(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "
                f'"</{expected}>", found "</{name}>"'
            )
        opened = self.stack.pop()
        self.pos = end + 1
        length = self.length - opened.start
        if length > 0 and opened.entity["type"] and (opened.tag != "a" or opened.entity["url"]):
            self.entities.append({**opened.entity, "offset": opened.start, "length": length})


def _position(entity: dict[str, object]) -> tuple[int, int]:
    # Telegram's order: by offset, and the longer of two entities at one offset first.
    offset, length = entity["offset"], entity["length"]
    assert isinstance(offset, int) and isinstance(length, int)  # set by close_tag
    return offset, -length


def decode_entity(body: str) -> str | None:
    """Decode the inside of ``&...;``; None when Telegram would not accept it."""
    if body.startswith("#"):
        digits = body[1:]
        code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code)
    return NAMED_ENTITIES.get(body)


def parse_html(source: str) -> tuple[str, list[dict[str, object]]]:
    """Return the visible text and its entities, or raise ApiError(400)."""
    return _Parser(source).run()


def command_entities(text: str) -> list[dict[str, object]]:
    """Telegram marks a leading /command (optionally @botname) as bot_command."""
    found = re.match(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,64})?", text)
    if not found:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(found.group())}]
