"""Decoding Bot API request parameters from every encoding Telegram accepts.

Telegram takes parameters as query string, urlencoded form, multipart form
(with file parts) or JSON, and nested objects arrive as JSON strings in the
form encodings. Handlers should see one plain dict regardless.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from playground.emulator.errors import bad_request

# Parameters Telegram documents as JSON-serialised objects or arrays.
JSON_KEYS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
        "menu_button",
        "entities",
        "caption_entities",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, kept fully in memory."""

    filename: str
    content_type: str
    data: bytes


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Merge query and body parameters; return (params, uploads by part name)."""
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            params.update(await _json_body(request))
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _merge_form(await request.post(), params, uploads)
    for key in JSON_KEYS & params.keys():
        if isinstance(params[key], str):
            # On failure it stays a string so the validator reports Telegram's error.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params, uploads


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("can't parse JSON request body") from None
    if not isinstance(body, dict):
        raise bad_request("JSON request body must be an object")
    return body


def _merge_form(
    form: MultiDictProxy[Any], params: dict[str, Any], uploads: dict[str, Upload]
) -> None:
    for key, value in form.items():
        if isinstance(value, web.FileField):
            uploads[key] = Upload(value.filename, value.content_type, value.file.read())
        elif isinstance(value, bytes):
            params[key] = value.decode("utf-8", "replace")
        else:
            params[key] = value


def get_int(params: dict[str, Any], key: str) -> int | None:
    """An integer parameter (Telegram accepts numbers as strings), or None if absent."""
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request(f"invalid {key} specified")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {key} specified") from None


def get_bool(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def get_str(params: dict[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def loggable(params: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
    """Parameters for the call log, with file bytes replaced by a summary."""
    logged = dict(params)
    for key, upload in uploads.items():
        logged[key] = {"upload": upload.filename, "size": len(upload.data)}
    return logged
