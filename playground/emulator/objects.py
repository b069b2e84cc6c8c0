"""Rendering stored messages as Telegram JSON objects, and fake user media.

Two views exist: the Bot API view (exact Telegram Message objects the bot
parses) and the chat-document view for the page and tests (visible text,
flags such as deleted/edit_count that Telegram never exposes).
"""

from __future__ import annotations

import secrets
from typing import Any

from playground.emulator.state import Chat, Message, World

MEDIA_KINDS = ("photo", "document", "sticker", "voice")


def chat_json(chat: Chat) -> dict[str, Any]:
    user = chat.user
    result: dict[str, Any] = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if "username" in user:
        result["username"] = user["username"]
    return result


def message_json(world: World, message: Message, *, with_reply: bool = True) -> dict[str, Any]:
    """The Bot API Message object for a stored message."""
    chat = world.chats[message.chat_id]
    result: dict[str, Any] = {
        "message_id": message.message_id,
        "from": world.bot_user() if message.sender == "bot" else chat.user,
        "chat": chat_json(chat),
        "date": message.date,
    }
    if message.edit_date is not None:
        result["edit_date"] = message.edit_date
    if with_reply and message.reply_to is not None and message.reply_to in chat.messages:
        result["reply_to_message"] = message_json(
            world, chat.messages[message.reply_to], with_reply=False
        )
    result.update(message.media)
    _add_text(result, message)
    if message.link_preview_options:
        result["link_preview_options"] = message.link_preview_options
    if message.reply_markup:
        result["reply_markup"] = message.reply_markup
    return result


def _add_text(result: dict[str, Any], message: Message) -> None:
    if message.kind == "text":
        result["text"] = message.text
        key = "entities"
    elif message.text:
        result["caption"] = message.text
        key = "caption_entities"
    else:
        return
    if message.entities:
        result[key] = message.entities


def chat_message_doc(message: Message) -> dict[str, Any]:
    """The page/test view of a message."""
    doc: dict[str, Any] = {
        "message_id": message.message_id,
        "sender": message.sender,
        "kind": message.kind,
        "text": message.text,
        "entities": message.entities,
        "html": message.html,
        "parse_mode": message.parse_mode,
        "reply_markup": message.reply_markup,
        "force_reply": message.force_reply,
        "date": message.date,
        "edit_date": message.edit_date,
        "edit_count": message.edit_count,
        "deleted": message.deleted,
        "file_url": f"/_emu/files/{message.file_id}" if message.file_id else None,
        "reply_to_message_id": message.reply_to,
    }
    for key in ("location", "contact", "sticker", "document", "photo"):  # the page shows them
        if key in message.media:
            doc[key] = message.media[key]
    return doc


# -- fake media a simulated user can send ------------------------------------


def _file_ids(prefix: str) -> dict[str, str]:
    return {
        "file_id": prefix + secrets.token_urlsafe(36),
        "file_unique_id": secrets.token_urlsafe(12),
    }


def user_media(kind: str, chat: Chat) -> dict[str, Any]:
    """Plausible Telegram objects for media a user sends (no real bytes)."""
    if kind == "sticker":
        return {
            "sticker": {
                **_file_ids("CAACAgIAAxkBAA"),
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
                "set_name": "PlaygroundStickers",
                "file_size": 23456,
            }
        }
    if kind == "photo":
        return {
            "photo": [
                _photo_size(90, 67, 1234),
                _photo_size(320, 240, 14567),
                _photo_size(1280, 960, 98765),
            ]
        }
    if kind == "voice":
        return {
            "voice": {
                **_file_ids("AwACAgIAAxkBAA"),
                "duration": 3,
                "mime_type": "audio/ogg",
                "file_size": 8123,
            }
        }
    if kind == "document":
        return {
            "document": {
                **_file_ids("BQACAgIAAxkBAA"),
                "file_name": "notes.pdf",
                "mime_type": "application/pdf",
                "file_size": 45678,
            }
        }
    if kind == "contact":
        user = chat.user
        return {
            "contact": {
                "phone_number": f"+1555{user['id'] % 10_000_000:07d}",
                "first_name": user["first_name"],
                "user_id": user["id"],
            }
        }
    raise ValueError(kind)


def _photo_size(width: int, height: int, size: int) -> dict[str, Any]:
    return {**_file_ids("AgACAgIAAxkBAA"), "width": width, "height": height, "file_size": size}


def image_size(data: bytes) -> tuple[int, int]:
    """Width/height of PNG, GIF or JPEG bytes; a plausible default otherwise."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return 800, 600


def _jpeg_size(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            break
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[pos + 7 : pos + 9], "big"), int.from_bytes(
                data[pos + 5 : pos + 7], "big"
            )
        pos += 2 + length
    return 800, 600
