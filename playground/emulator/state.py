"""In-memory world of the emulator: users, their private chats, files, commands.

Everything is keyed per chat so that thousands of simulated users cost
nothing per request. Every change bumps a global version and the chat's own
version and wakes long-poll waiters (the web page, the test client) through
asyncio events instead of polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from playground.emulator.errors import bad_request

FIRST_USER_ID = 100001
DEFAULT_BOT_ID = 1000001
BOT_FIRST_NAME = "Kintsugi"
BOT_USERNAME = "kintsugi_playground_bot"


def now_unix() -> int:
    return int(time.time())


@dataclass
class StoredFile:
    """A file the bot uploaded (bytes kept) or a placeholder for user media."""

    file_id: str
    file_unique_id: str
    mime_type: str
    file_name: str | None = None
    data: bytes | None = None
    url: str | None = None  # a photo "sent by URL": we are offline, so only remembered
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


@dataclass
class Message:
    message_id: int
    chat_id: int
    sender: str  # "bot" | "user"
    kind: str  # text, photo, document, sticker, voice, location, contact
    date: int
    text: str = ""  # visible text, or caption for media
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None  # inline keyboards only, like Telegram
    force_reply: bool = False
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False
    media: dict[str, Any] = field(default_factory=dict)  # Telegram fields: photo, sticker, ...
    file_id: str | None = None
    reply_to: int | None = None
    link_preview_options: dict[str, Any] | None = None


@dataclass
class CallbackRecord:
    query_id: str
    chat_id: int
    created: float  # monotonic
    answered: bool = False


@dataclass
class Chat:
    """A private chat; its id equals the user's id."""

    user: dict[str, Any]
    chat_instance: str
    blocked: bool = False
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    chat_actions: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=50))
    reply_keyboard: dict[str, Any] | None = None
    version: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def add_message(self, sender: str, kind: str, **fields: Any) -> Message:
        message = Message(self.next_message_id, self.id, sender, kind, now_unix(), **fields)
        self.messages[message.message_id] = message
        self.next_message_id += 1
        return message


class World:
    """Users, chats, files, callback queries, commands, and change notification."""

    def __init__(self) -> None:
        self.bot_id: int | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_settings: dict[str, Any] = {}
        self.version = 0
        self._changed = asyncio.Event()
        self._callback_ids = itertools.count(int(time.time() * 1000) * 1000)
        self.clear()

    def clear(self) -> None:
        """Forget users and everything in their chats (bot identity/commands stay)."""
        for old in getattr(self, "chats", {}).values():
            old.changed.set()  # release page/test long-polls on chats that vanish
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.next_user_id = FIRST_USER_ID
        self.bump()

    # -- identity ---------------------------------------------------------

    def bind_token(self, token: str) -> None:
        if self.bot_id is None:
            self.bot_id = int(token.split(":", 1)[0])

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id or DEFAULT_BOT_ID,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # -- users --------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        username: str | None = None,
        language_code: str = "en",
        user_id: int | None = None,
    ) -> Chat:
        if user_id is None:
            user_id = self.next_user_id
        if user_id in self.chats:
            raise ValueError(f"user {user_id} already exists")
        self.next_user_id = max(self.next_user_id, user_id + 1)
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        user["language_code"] = language_code
        chat = Chat(user=user, chat_instance=str(secrets.randbits(62)))
        self.chats[user_id] = chat
        self.bump(chat)
        return chat

    def chat_for(self, chat_id: Any) -> Chat:
        """The chat addressed by a Bot API chat_id, or Telegram's 'chat not found'."""
        try:
            chat = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    # -- files ----------------------------------------------------------------

    def store_file(self, prefix: str, mime_type: str, **fields: Any) -> StoredFile:
        stored = StoredFile(
            file_id=prefix + secrets.token_urlsafe(36),
            file_unique_id=secrets.token_urlsafe(12),
            mime_type=mime_type,
            **fields,
        )
        self.files[stored.file_id] = stored
        return stored

    def alias_file(self, stored: StoredFile) -> str:
        """Another file_id for the same bytes (Telegram has one per photo size)."""
        alias = "AgACAgIAAx" + secrets.token_urlsafe(36)
        self.files[alias] = stored
        return alias

    # -- callback queries ------------------------------------------------------

    def new_callback(self, chat: Chat) -> CallbackRecord:
        if len(self.callbacks) > 50_000:
            self._prune_callbacks()
        record = CallbackRecord(str(next(self._callback_ids)), chat.id, time.monotonic())
        self.callbacks[record.query_id] = record
        return record

    def _prune_callbacks(self) -> None:
        cutoff = time.monotonic() - 3600
        self.callbacks = {k: v for k, v in self.callbacks.items() if v.created > cutoff}

    # -- change notification -----------------------------------------------------

    def bump(self, chat: Chat | None = None) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()
        if chat is not None:
            chat.version = self.version
            chat.changed.set()
            chat.changed = asyncio.Event()

    async def wait_version(self, since: int, timeout: float, chat: Chat | None = None) -> int:
        """Return the (chat's) version once it exceeds `since`, or after timeout."""
        current = chat.version if chat is not None else self.version
        if current > since or timeout <= 0:
            return current
        event = chat.changed if chat is not None else self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        return chat.version if chat is not None else self.version

    def wake_all(self) -> None:
        """Release every long-poll waiter (used on shutdown)."""
        self._changed.set()
        for chat in self.chats.values():
            chat.changed.set()
