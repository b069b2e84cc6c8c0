"""Telegram in: an Update becomes who sent it and one flow-level input.

This is the only place that reads Telegram's update types; what leaves it
is plain data the pure router understands.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatMemberStatus, ChatType, MessageEntityType

from flows.engine import (
    MENU_PREFIX,
    ButtonPress,
    LocationInput,
    MediaInput,
    TextInput,
    parse_callback,
    parse_item,
)
from flows.router import (
    Command,
    EditedMessage,
    ItemPress,
    MenuPress,
    UnknownPress,
)

_MEDIA_KINDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "contact",
    "poll",
    "dice",
    "venue",
    "game",
    "story",
)


@dataclass(frozen=True)
class Incoming:
    user_id: int | None
    chat_id: int | None
    locale: str = "en"
    locale_known: bool = False  # Telegram told us their language (it may not)
    event: Any | None = None
    callback_query_id: str | None = None
    private: bool = True
    blocked: bool | None = None  # set when the user blocked (True) or unblocked (False) us
    first_name: str = ""


def read_update(update: Update) -> Incoming:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return Incoming(user_id=None, chat_id=None)
    base = Incoming(
        user_id=user.id,
        chat_id=chat.id,
        locale=(user.language_code or "en").split("-")[0],
        locale_known=bool(user.language_code),
        private=chat.type == ChatType.PRIVATE,
        first_name=(user.first_name or "")[:64],
    )
    if update.my_chat_member is not None:
        status = update.my_chat_member.new_chat_member.status
        return replace(base, blocked=status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT))
    if update.callback_query is not None:
        query = update.callback_query
        message_id = query.message.message_id if query.message else None
        return replace(base, event=read_button(query.data, message_id), callback_query_id=query.id)
    if update.edited_message is not None:
        edited = update.edited_message
        return replace(base, event=EditedMessage(edited.text or edited.caption or ""))
    if update.message is not None:
        return replace(base, event=read_message(update.message))
    return base


def read_button(data: str | None, message_id: int | None) -> Any:
    if data and data.startswith(MENU_PREFIX):
        return MenuPress(data[len(MENU_PREFIX) :])
    item = parse_item(data or "")
    if item is not None:
        return ItemPress(*item)
    parsed = parse_callback(data or "")
    if parsed is None:
        return UnknownPress()
    seq, value = parsed
    return ButtonPress(seq=seq, value=value, message_id=message_id)


def read_message(message: Message) -> Any:
    if message.text is not None:
        return _command(message, message.text) or TextInput(message.text)
    if message.location is not None and message.venue is None:
        return LocationInput(message.location.latitude, message.location.longitude)
    for kind in _MEDIA_KINDS:
        if getattr(message, kind, None):
            return MediaInput(kind, message.caption or "")
    return None  # a service message (pinned, joined, ...): nothing to answer


def _command(message: Message, text: str) -> Command | None:
    entities = message.entities or ()
    first = entities[0] if entities else None
    if first is None or first.type != MessageEntityType.BOT_COMMAND or first.offset != 0:
        return None
    word = text[1 : first.length]
    name = word.split("@", 1)[0].lower()
    return Command(name=name, args=text[first.length :].strip())
