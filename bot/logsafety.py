"""Logs that never carry what people wrote, nor the keys to the bot.

There are two kinds of leak, and each gets the guard that fits it.

User text has no shape a filter could recognise, so it is kept out at the
source. Our own log lines name kinds, ids and counts, never payloads. The
libraries that dump payloads do it at DEBUG (or INFO): PTB logs every update
it processes and every Bot API call with its parameters and its result,
aiosqlite every SQL statement with its parameters (a typed city becomes a
stored time zone), SQLAlchemy the same at INFO. Those loggers, listed in
QUIET with their reasons, are held at a floor whatever LOG_LEVEL says, so
LOG_LEVEL=DEBUG means our own debug lines and those of libraries that log no
payloads. One table here rather than setLevel calls scattered over the code:
it is the one place to read what is silenced and why.

Secrets do have a known value. A filter replaces the bot token, the webhook
secret and the encryption keys, and anything shaped like a bot token or a
Fernet key, in the formatted message and in tracebacks, so a URL or an
exception message that carries one is still safe (httpx logs URLs, and Bot
API URLs hold the token). The same filter blanks the parameters SQLAlchemy
writes into its error messages, the one place where stored values reach a
traceback. It sits on the handler, not on a logger, because
records from child loggers reach the root's handlers without passing the
root logger's filters.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from bot.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"

# Each logger's floor, and what it would otherwise write.
QUIET: dict[str, int] = {
    # Every update processed, every Bot API call with its parameters and result.
    "telegram": logging.INFO,
    # Every request URL, which holds the bot token; one line per request.
    "httpx": logging.WARNING,
    # The transport under httpx: ten lines of chatter and headers per request.
    "httpcore": logging.INFO,
    # Every statement executed, with its parameters.
    "aiosqlite": logging.INFO,
    "sqlalchemy.engine": logging.WARNING,
    # Every run of the nudge tick, every few seconds.
    "apscheduler": logging.WARNING,
}

# Shapes of secrets we were not told about: a bot token from @BotFather, a Fernet key.
_SECRET_SHAPES = re.compile(
    r"\b\d{5,}:[A-Za-z0-9_-]{30,}"
    r"|(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])"
)
# SQLAlchemy puts a failed statement's parameters in the error message, on one line
# (each value as its repr), so a traceback would carry them.
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")


class Redactor(logging.Filter):
    """Replaces known secrets, and anything shaped like one, in each record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
        return _SECRET_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a message that does not format; logging would dump its arguments
            message = f"unformattable log message at {record.pathname}:{record.lineno}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secrets_of(settings: Settings) -> list[str]:
    token = settings.telegram_bot_token or ""
    keys = (settings.encryption_keys or "").split(",")
    return [
        token,
        token.partition(":")[2],
        settings.webhook_secret or "",
        *(key.strip() for key in keys),
        _key_file(settings.key_file),
    ]


def _key_file(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:  # not made yet: the Fernet shape above still catches it
        return ""


def configure(settings: Settings, handler: logging.Handler | None = None) -> logging.Handler:
    """The root logger at LOG_LEVEL with one redacting handler (stderr unless given),
    and the payload loggers held at their floors."""
    handler = handler if handler is not None else logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Redactor(secrets_of(settings)))
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level)
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(level, floor))
    return handler
