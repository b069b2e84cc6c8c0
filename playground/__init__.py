"""Kintsugi playground: a loopback fake of the Telegram Bot API.

It exists so the bot can be exercised end to end (by tests, benchmarks and a
person using the web chat page) without Telegram and without network access.
Nothing here imports the bot: the emulator only speaks Telegram's wire format.
"""

from playground.emulator import Emulator

__all__ = ["Emulator"]
