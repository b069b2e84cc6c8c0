"""Validation of reply_markup the way Telegram checks it.

Keyboards are where bots most often send something Telegram refuses
(callback_data over 64 bytes, malformed rows), so the emulator rejects the
same inputs with the same descriptions instead of silently storing them.
"""

from __future__ import annotations

import json
from typing import Any

from playground.emulator.errors import bad_request

_KEYBOARD_JSON_ERROR = "can't parse reply keyboard markup JSON object"
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "web_app",
    "callback_game",
    "pay",
)


def parse_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Return a normalised markup dict (or None), raising ApiError(400) if invalid."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request(_KEYBOARD_JSON_ERROR) from None
    if not isinstance(raw, dict):
        raise bad_request(_KEYBOARD_JSON_ERROR)
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _inline_rows(raw["inline_keyboard"])}
    if "keyboard" in raw:
        return {**raw, "keyboard": _reply_rows(raw["keyboard"])}
    if raw.get("remove_keyboard") is True or raw.get("force_reply") is True:
        return dict(raw)
    raise bad_request(_KEYBOARD_JSON_ERROR)


def _rows(rows: Any) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(_KEYBOARD_JSON_ERROR)
    return rows


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    return [[_inline_button(button) for button in row] for row in _rows(rows)]


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    return dict(button)


def _reply_rows(rows: Any) -> list[list[dict[str, Any]]]:
    return [[_reply_button(button) for button in row] for row in _rows(rows)]


def _reply_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    return dict(button)


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """All inline buttons of a markup, row-major."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]
