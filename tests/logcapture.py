"""The bot's logging set up as ``python -m bot`` sets it up, on a handler that keeps
every formatted line, and put back as it was afterwards."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.logsafety import QUIET, configure
from bot.settings import Settings


class Capture(logging.Handler):
    """Every record, formatted the way the bot's own handler formats it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def captured_logs(settings: Settings) -> Iterator[Capture]:
    levels = {name: logging.getLogger(name).level for name in ("", *QUIET)}
    capture = Capture()
    configure(settings, capture)
    try:
        yield capture
    finally:
        logging.getLogger().removeHandler(capture)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
