"""The baseline: a bare python-telegram-bot echo bot, as a typical bot is written.

Usage: python -m bench.echo_bot API_URL

An Application with PTB's default settings, polling with PTB's own Updater
(``start_polling()``'s defaults, as ``run_polling()`` uses them), a
MessageHandler that echoes text and a CallbackQueryHandler that answers the
press; each reply carries a button, so the simulated users can press real
callback data, as they do with Kintsugi. No database, no state. Reports
``BENCH-RESULT {"pid": ...}`` once polling, and stops when its stdin closes.
"""

from __future__ import annotations

import asyncio
import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bench.common import TOKEN, report, until_stdin_closes


def _button(n: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data=f"again:{n}")]])


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None:  # an edit or a channel post: nothing to echo
        return
    await message.reply_text(f"echo: {message.text}", reply_markup=_button(message.message_id))


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    message = query.message
    if not isinstance(message, Message):  # too old for Telegram to show: nowhere to reply
        return
    await message.reply_text(f"pressed: {query.data}", reply_markup=_button(message.message_id))


async def main(api_url: str) -> None:
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    updater = application.updater
    assert updater is not None  # the builder makes one unless told .updater(None)
    async with application:
        await updater.start_polling()
        await application.start()
        report({"pid": os.getpid()})
        await until_stdin_closes()
        await updater.stop()
        await application.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
