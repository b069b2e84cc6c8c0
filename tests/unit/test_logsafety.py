"""The log filter and floors on their own: secrets known and unknown, tracebacks,
SQL parameters in error messages, a message that does not format, and floors
that never make a library chattier than LOG_LEVEL."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bot.logsafety import REDACTED, Redactor
from bot.settings import Settings
from tests.logcapture import captured_logs

TOKEN = "123456:known-token-value-0123456789"
SECRET = "the-webhook-secret"
KEYS = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
log = logging.getLogger("bot.test_logsafety")


def settings(level: str = "DEBUG") -> Settings:
    return Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=TOKEN,
        WEBHOOK_SECRET=SECRET,
        KINTSUGI_ENCRYPTION_KEYS=",".join(KEYS),
        LOG_LEVEL=level,
    )


def test_known_secrets_are_replaced_in_messages_and_in_tracebacks():
    with captured_logs(settings()) as capture:
        log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        log.info("tail alone: %s; secret: %s; keys: %s", TOKEN.partition(":")[2], SECRET, KEYS)
        try:
            raise RuntimeError(f"bad key {KEYS[1]} for {SECRET}")
        except RuntimeError:
            log.exception("failed")
    text = capture.text()
    for secret in (TOKEN, TOKEN.partition(":")[2], SECRET, *KEYS):
        assert secret not in text
    assert text.count(REDACTED) >= 7 and "RuntimeError: bad key" in text


def test_unknown_secrets_are_caught_by_their_shape_and_ordinary_words_are_kept():
    other_token = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    ordinary = "user 100001 in Europe/Berlin at 18:34:05, outbox 12 after 3 attempts"
    with captured_logs(settings()) as capture:
        log.warning("another bot %s and key %s", other_token, Fernet.generate_key().decode())
        log.warning(ordinary)
    first, second = capture.lines
    assert other_token not in first and first.count(REDACTED) == 2
    assert second.endswith(ordinary)


def test_sql_parameters_in_an_error_are_blanked():
    engine = sa.create_engine("sqlite://")
    with captured_logs(settings()) as capture, engine.connect() as connection:
        connection.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)"))
        connection.execute(sa.text("INSERT INTO t VALUES (1, 'x')"))
        try:
            connection.execute(
                sa.text("INSERT INTO t VALUES (:id, :note)"),
                {"id": 1, "note": "I feel lost since the affair"},
            )
        except sa.exc.IntegrityError:
            log.exception("could not store")
    assert "UNIQUE constraint failed" in capture.text() and "[SQL: INSERT" in capture.text()
    assert "I feel lost" not in capture.text()


def test_a_message_that_does_not_format_is_kept_without_its_arguments():
    # Called directly: any other handler on the root (pytest's) would choke on it first.
    # Left as it is, logging's handleError would print the arguments to stderr.
    record = log.makeRecord(
        log.name,
        logging.ERROR,
        __file__,
        1,
        "one placeholder, two values: %s",
        ("fine", "I feel lost"),
        None,
    )
    assert Redactor([]).filter(record)
    assert "unformattable log message" in record.getMessage()
    assert "I feel lost" not in record.getMessage() and not record.args


@pytest.mark.parametrize(
    ("level", "telegram", "httpx"),
    [
        ("DEBUG", logging.INFO, logging.WARNING),
        ("ERROR", logging.ERROR, logging.ERROR),
    ],
)
def test_payload_loggers_are_held_at_their_floor_and_never_lowered(level, telegram, httpx):
    with captured_logs(settings(level)) as capture:
        assert logging.getLogger("telegram.ext.Application").getEffectiveLevel() == telegram
        assert logging.getLogger("httpx").getEffectiveLevel() == httpx
        logging.getLogger("telegram.Bot").debug("Calling sendMessage with I feel lost")
        logging.getLogger("aiosqlite").debug("executing INSERT ... ('I feel lost',)")
    assert "I feel lost" not in capture.text()
