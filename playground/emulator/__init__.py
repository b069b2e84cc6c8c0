"""The Telegram Bot API emulator, split into one concern per module.

server (wiring, HTTP), botapi (Bot API methods), control (/_emu/ API),
state (users/chats/files), updates (pending updates, getUpdates),
webhook (delivery), limits (faults, flood control, call log),
html_entities (parse_mode HTML), markup (keyboards), params (decoding),
objects (Telegram JSON rendering and fake media).
"""

from playground.emulator.server import Emulator

__all__ = ["Emulator"]
