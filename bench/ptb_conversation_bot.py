"""python-telegram-bot's usual approach: a ConversationHandler kept in a PicklePersistence.

A guided conversation as a PTB bot is typically written (the library's own
examples: ``conversationbot.py``, ``persistentconversationbot.py``): a few
states, each answer kept in ``context.user_data``, the conversation state and
all data in one pickle file that PTB loads whole at start and rewrites whole.
It stores about what Kintsugi keeps per user: a profile (consent, role,
time zone, reminder time), a few written answers of a couple of hundred
characters, and settings; a little chat data.

``write_pickle`` builds the file in PicklePersistence's single-file format
(a dict of ``conversations``, ``user_data``, ``chat_data``, ``bot_data``,
``callback_data``; see telegram/ext/_picklepersistence.py) directly, so that
100,000 users take a second, not 100,000 updates. Replies are short keys, not
sentences: this bot exists to be measured.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

from bench.common import TOKEN

CONVERSATION = "repair"
# The guided conversation: what happened, how it felt, what is needed, then confirm.
WHAT, FEELING, NEED, CONFIRM = range(4)
STATES = (WHAT, FEELING, NEED, CONFIRM)
ANSWER_FOR = {WHAT: "what_happened", FEELING: "how_it_felt", NEED: "what_i_need"}
NEXT = {WHAT: FEELING, FEELING: NEED, NEED: CONFIRM}
ANSWER_LENGTH = 200
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")


# ------------------------------------------------------------------ the stored data


def user_data_for(user_id: int) -> dict[str, Any]:
    """A user's data: their profile, settings, and their three answers (from the round
    before, which the current round overwrites one by one, as Kintsugi's profile keeps
    the last answers)."""
    filler = f"{user_id} " + "a sentence or two of what this person wrote, " * 5
    answers = {name: filler[:ANSWER_LENGTH] for name in ANSWER_FOR.values()}
    return {
        "profile": {
            "onboarded": True,
            "consent": "yes",
            "role": "hurt",
            "safety": "no",
            "locale": "en",
            "time_zone": ZONES[user_id % len(ZONES)],
            "reminder_time": "20:30",
        },
        "answers": answers,
        "settings": {"reminders": True, "fewer_nudges": False, "practice_step": 1 + user_id % 9},
    }


def chat_data_for(user_id: int) -> dict[str, Any]:
    return {"keyboard_message_id": user_id % 10_000 + 1, "language": "en"}


def state_of(user_id: int) -> int:
    """Users are spread evenly over the conversation's states."""
    return STATES[user_id % len(STATES)]


def stored(first_id: int, count: int) -> dict[str, Any]:
    """What PicklePersistence(single_file=True) keeps, for *count* users in private chats."""
    ids = range(first_id, first_id + count)
    return {
        # Key (chat id, user id): ConversationHandler's default per_chat and per_user.
        "conversations": {CONVERSATION: {(uid, uid): state_of(uid) for uid in ids}},
        "user_data": {uid: user_data_for(uid) for uid in ids},
        "chat_data": {uid: chat_data_for(uid) for uid in ids},
        "bot_data": {},
        "callback_data": None,
    }


def write_pickle(path: Path, first_id: int, count: int) -> int:
    """Write the persistence file for *count* users; returns its size in bytes."""
    with path.open("wb") as file:
        pickle.dump(stored(first_id, count), file, protocol=pickle.HIGHEST_PROTOCOL)
    return path.stat().st_size


# ------------------------------------------------------------------ the bot


class CountingPicklePersistence(PicklePersistence):
    """PicklePersistence that counts its whole-file writes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.whole_file_writes = 0

    def _dump_singlefile(self) -> None:
        self.whole_file_writes += 1
        super()._dump_singlefile()


def _said(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, str, dict[Any, Any]] | None:
    """The message, its text and its writer's data; None for an update without them
    (an edit, a channel post), and a handler returning None leaves the state as it was."""
    message, user_data = update.message, context.user_data
    if message is None or message.text is None or user_data is None:
        return None
    return message, message.text, user_data


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    if (said := _said(update, context)) is None:
        return None
    message, _text, user_data = said
    user_data["answers"] = {}
    await message.reply_text("q:what")
    return WHAT


def answer_of(
    state: int,
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, int | None]]:
    async def answered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
        if (said := _said(update, context)) is None:
            return None
        message, text, user_data = said
        user_data.setdefault("answers", {})[ANSWER_FOR[state]] = text
        await message.reply_text(f"q:{NEXT[state]}")
        return NEXT[state]

    return answered


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    if (said := _said(update, context)) is None:
        return None
    message, text, user_data = said
    if text.strip().lower() == "yes":
        user_data.setdefault("done", 0)
        user_data["done"] += 1
        await message.reply_text("q:done")
        return ConversationHandler.END
    await message.reply_text("q:what")
    return WHAT


async def cancel(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> int | None:
    if update.message is None:
        return None
    await update.message.reply_text("q:cancelled")
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("start", begin)],
        states={
            **{state: [MessageHandler(text, answer_of(state))] for state in (WHAT, FEELING, NEED)},
            CONFIRM: [MessageHandler(text, confirm)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name=CONVERSATION,
        persistent=True,
    )


def build_application(api_url: str, path: Path, on_flush: bool = False) -> Application:
    """The bot as its author would build it, its API at *api_url*, its data in *path*."""
    persistence = CountingPicklePersistence(filepath=path, on_flush=on_flush)
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .persistence(persistence)
        .build()
    )
    application.add_handler(conversation())
    return application


def text_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """An update as the Bot API sends it: *user_id* writes *text* in their private chat."""
    person = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "from": person,
            "chat": {"id": user_id, "type": "private", "first_name": person["first_name"]},
        },
    }
