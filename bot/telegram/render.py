"""Turns flow actions into Bot API calls: words from content, HTML, keyboards.

The output is plain data (method name and parameters) so it can be stored in
the outbox and sent later by the one sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from content import MAX_MESSAGE_CHARS, Catalog, Markup, catalog, visible_length
from content.dates import format_date
from content.resources import behaviour_markup, resources_markup
from flows.engine import Button, CloseQuestion, EditButtons, Label, Listing, Moment, Say, Toast

CHECK = "✓ "
MAX_CAPTION_CHARS = 1024
# A parameter whose value is a file to upload is {UPLOAD: base64 bytes, FILE_NAME: name}.
UPLOAD, FILE_NAME = "upload_base64", "file_name"
MAX_DELETE_IDS = 100  # deleteMessages takes 1-100 ids at a time
_NO_PREVIEW = {"is_disabled": True}
RESOURCES = "resources"  # the standing parameter: crisis numbers for the reader
BEHAVIOUR = "behaviour"  # the standing parameter: lines for people worried about themselves
COUNTRY_CODE = "country_code"  # a Say's parameter: numbers of this country, not the reader's


@dataclass(frozen=True)
class Call:
    """One Bot API call, ready for the outbox."""

    method: str
    params: Mapping[str, Any]


class Renderer:
    """Renders for one reader: their locale's words, and the crisis numbers of
    their country (the one they chose, else their time zone's) wherever a text
    asks for ``{resources}``."""

    def __init__(
        self, catalog: Catalog, zone: str | None = None, country: str | None = None
    ) -> None:
        self._words = catalog
        self._zone = zone
        self._country = country

    def render(self, action: Any, chat_id: int) -> list[Call]:
        if isinstance(action, Say):
            return self._say(action, chat_id)
        if isinstance(action, CloseQuestion):
            return [self._close(action, chat_id)]
        if isinstance(action, EditButtons):
            markup = self.keyboard(action.buttons)
            return [
                Call(
                    "editMessageReplyMarkup",
                    {
                        "chat_id": chat_id,
                        "message_id": action.message_id,
                        "reply_markup": markup,
                    },
                )
            ]
        raise TypeError(f"cannot render {action!r}")

    def toast(self, toast: Toast | None, callback_query_id: str) -> Call:
        params: dict[str, Any] = {"callback_query_id": callback_query_id}
        if toast is not None:
            params["text"] = self._words.plain(toast.key)[:200]
        return Call("answerCallbackQuery", params)

    def text(self, keys: tuple[str, ...], params: Mapping[str, Any]) -> str:
        resolved = {name: self._resolve(value) for name, value in params.items()}
        country = params.get(COUNTRY_CODE) or self._country
        return "\n\n".join(
            self._words.text(key, **self._standing(key, country), **resolved) for key in keys
        )

    def keyboard(self, rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
        return {"inline_keyboard": [[self._button(button) for button in row] for row in rows]}

    def _button(self, button: Button) -> dict[str, str]:
        if button.url:
            return {"text": self._label(button), "url": button.url}
        return {"text": self._label(button), "callback_data": button.data}

    # ------------------------------------------------------------ internals

    def _standing(self, key: str, country: str | None) -> dict[str, Any]:
        """Parameters any text may use without the flow passing them."""
        template = self._words.texts[key]
        standing: dict[str, Any] = {}
        if "{" + RESOURCES + "}" in template:
            standing[RESOURCES] = _resources(self._words.locale, self._zone, country)
        if "{" + BEHAVIOUR + "}" in template:
            standing[BEHAVIOUR] = _behaviour(self._words.locale, self._zone, country)
        return standing

    def _say(self, say: Say, chat_id: int) -> list[Call]:
        # Deleting goes first, so the words that say what was deleted stay.
        return [*self._deletions(say.delete_first, chat_id), *self._sent(say, chat_id)]

    def _sent(self, say: Say, chat_id: int) -> list[Call]:
        if say.photo:
            return [
                self._upload(say, chat_id, "photo", {UPLOAD: say.photo, FILE_NAME: "picture.png"})
            ]
        if say.document:
            return [
                self._upload(
                    say,
                    chat_id,
                    "document",
                    {UPLOAD: say.document["base64"], FILE_NAME: say.document["name"]},
                )
            ]
        chunks = split_message(self.text(say.keys, say.params))
        markups: list[dict[str, Any] | None] = [None] * len(chunks)
        calls_after: list[Call] = []
        if say.ask_location:
            markups[-1] = self._location_keyboard(say.ask_location)
            if say.buttons:
                calls_after.append(
                    self._message(
                        chat_id, self.text(("common.or_choose",), {}), self.keyboard(say.buttons)
                    )
                )
        elif say.buttons:
            markups[-1] = self.keyboard(say.buttons)
        calls_before: list[Call] = []
        if say.clear_reply_keyboard:
            if markups[0] is None:
                markups[0] = {"remove_keyboard": True}
            else:
                calls_before.append(
                    self._message(
                        chat_id, self.text(("common.noted",), {}), {"remove_keyboard": True}
                    )
                )
        messages = [
            self._message(chat_id, chunk, markup)
            for chunk, markup in zip(chunks, markups, strict=True)
        ]
        return [*calls_before, *messages, *calls_after]

    def _close(self, close: CloseQuestion, chat_id: int) -> Call:
        answer = ", ".join(self._words.plain(label) for label in close.answer_labels)
        text = (
            self.text(close.keys, close.params)
            + "\n\n"
            + self._words.text("common.answer_kept", answer=answer)
        )
        return Call(
            "editMessageText",
            {
                "chat_id": chat_id,
                "message_id": close.message_id,
                "text": text,
                "parse_mode": "HTML",
                "link_preview_options": _NO_PREVIEW,
            },
        )

    def _message(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> Call:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": _NO_PREVIEW,
        }
        if markup is not None:
            params["reply_markup"] = markup
        return Call("sendMessage", params)

    def _upload(self, say: Say, chat_id: int, kind: str, file: Mapping[str, str]) -> Call:
        # The file travels through the outbox as base64; the sender uploads it.
        caption = self.text(say.keys, say.params)
        if visible_length(caption) > MAX_CAPTION_CHARS:
            raise ValueError(f"caption of {say.keys} longer than {MAX_CAPTION_CHARS}")
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "caption": caption,
            "parse_mode": "HTML",
            kind: dict(file),
        }
        if say.buttons:
            params["reply_markup"] = self.keyboard(say.buttons)
        return Call("send" + kind.capitalize(), params)

    @staticmethod
    def _deletions(message_ids: tuple[int, ...], chat_id: int) -> list[Call]:
        return [
            Call(
                "deleteMessages",
                {"chat_id": chat_id, "message_ids": list(message_ids[i : i + MAX_DELETE_IDS])},
            )
            for i in range(0, len(message_ids), MAX_DELETE_IDS)
        ]

    def _location_keyboard(self, label_key: str) -> dict[str, Any]:
        return {
            "keyboard": [[{"text": self._words.plain(label_key), "request_location": True}]],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }

    def _label(self, button: Button) -> str:
        label = button.text if button.text is not None else self._words.plain(button.label)
        return CHECK + label if button.checked else label

    def date(self, at: str, form: str = "date") -> str:
        """A date or time (ISO 8601) as this reader reads it (content.dates.FORMS)."""
        return format_date(at, self._words.locale, self._zone, form)

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, Moment):
            return self.date(value.at, value.form)
        if isinstance(value, Listing):
            lines = [self._words.text(value.item, **item) for item in value.items]
            return Markup("\n".join(lines) if lines else self._words.text(value.empty))
        if isinstance(value, Label):
            inner = {name: self._resolve(v) for name, v in value.params.items()}
            return Markup(self._words.text(value.key, **inner))
        if isinstance(value, tuple) and value and all(isinstance(v, Label) for v in value):
            return Markup(", ".join(self._resolve(v) for v in value))  # e.g. "Monday, Friday"
        return value


@cache
def _resources(locale: str, zone: str | None, country: str | None) -> Markup:
    return resources_markup(catalog(locale), zone, country)


@cache
def _behaviour(locale: str, zone: str | None, country: str | None) -> Markup:
    return behaviour_markup(catalog(locale), zone, country)


def renderer_for(user: Any) -> Renderer:
    """How one user is addressed: their language, and the numbers of their country."""
    return Renderer(catalog(user.locale), user.time_zone, (user.profile or {}).get("country"))


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Pieces of at most *limit* visible characters, cut between paragraphs."""
    if visible_length(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if current and visible_length(candidate) > limit:
            pieces.append(current)
            candidate = paragraph
        current = candidate
    pieces.append(current)
    return pieces
