"""No user text, token or secret in any log line.

Two partners go through onboarding, linking, an agreement, a listening
exercise and a practice, typing crisis words on the way, with the root logger
at DEBUG and the bot's own logging set up as ``python -m bot`` sets it up;
then one webhook request arrives. Every formatted line, tracebacks included,
is searched for what the partners typed and for the bot token, the webhook
secret and the encryption key. The same search runs over the stderr of a real
``python -m bot`` process started with LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.telegram.webhook import SECRET_HEADER
from playground.client import EmulatorClient, SimUser
from tests.e2e.harness import TOKEN, answer, expect, running
from tests.e2e.journeys import clicked_pair, propose
from tests.e2e.test_listening import reflect, share
from tests.e2e.test_practices import triggered_until_offer, write_request
from tests.logcapture import Capture, captured_logs

ROOT = Path(__file__).resolve().parents[2]
SECRET = "webhook-secret-for-the-log-test-0123"
AGREEMENT = "We tell each other about money before we spend it"
WHY = "The hidden loan is what broke me"
SHARED = (
    "I felt the ground go when I saw the bank letters.",
    "I need you to understand I still check the mail before you do.",
)
HEARD = "What I hear is that the letters made you doubt everything else too."
CRISIS = "some nights I want to die, honestly"
BY_WEBHOOK = "These words came by webhook and stay out of the logs"
# Long enough that a piece of a typed text found in a log line is no coincidence.
PIECE = 12


@pytest.fixture
def debug_settings(settings):
    return settings.model_copy(update={"log_level": "DEBUG", "webhook_secret": SECRET})


@pytest.fixture
def captured(debug_settings) -> Iterator[Capture]:
    with captured_logs(debug_settings) as capture:
        yield capture


async def two_partners_through_everything(emu: EmulatorClient) -> tuple[SimUser, SimUser]:
    sam, alex = await clicked_pair(emu)
    await propose(sam, AGREEMENT, why=WHY)
    await expect(alex, "ledger.notify")
    await answer(alex, "ledger.accept", "ledger.accepted")
    await share(sam, *SHARED)
    await reflect(alex, HEARD)
    await triggered_until_offer(alex)
    await write_request(alex)
    await answer(alex, "practices.send", "practices.request_sent")
    await expect(sam, "practices.partner_request")
    await asyncio.gather(*(answered(user, CRISIS) for user in (sam, alex)))
    return sam, alex


async def answered(user: SimUser, text: str) -> None:
    """Say something and wait for whatever the bot answers (crisis words get resources)."""
    before = len(await user.bot_messages())
    await user.send(text)
    await user.wait_for_bot_messages(before + 1)


async def typed_by(users: tuple[SimUser, ...], surely: tuple[str, ...]) -> set[str]:
    """Every text the users sent, read back from their chats (*surely* among them)."""
    typed = set()
    for user in users:
        typed |= {
            m["text"]
            for m in (await user.chat())["messages"]
            if m["sender"] == "user" and m["text"]
        }
    assert set(surely) <= typed
    return typed


def secrets_and_words(typed: set[str], vault_key: str) -> set[str]:
    """The needles: whole texts, their long pieces (an invitation token), and the secrets."""
    pieces = {piece for text in typed for piece in text.split() if len(piece) >= PIECE}
    return typed | pieces | {TOKEN, TOKEN.partition(":")[2], SECRET, vault_key}


def leaks(lines: list[str], needles: set[str]) -> list[str]:
    return [
        f"{needle!r} in: {line[:300]}" for line in lines for needle in needles if needle in line
    ]


async def one_webhook_request(runtime, user: SimUser) -> None:
    """A message by webhook with the secret, answered; and a refused one around it."""
    server = runtime.webhook_server(SECRET)
    await server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.port}/telegram/webhook"
    update = {
        "update_id": 900_000,
        "message": {
            "message_id": 90_000,
            "date": 0,
            "text": BY_WEBHOOK,
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        },
    }
    before = len(await user.bot_messages())
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update, headers={SECRET_HEADER: "wrong"}) as refused:
                assert refused.status == 403
            async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as taken:
                assert taken.status == 200
        await user.wait_for_bot_messages(before + 1)
    finally:
        await server.stop()


async def test_a_whole_run_at_debug_logs_no_user_text_and_no_secret(
    captured, debug_settings, emu, vault_key
):
    async with running(debug_settings) as runtime:
        sam, alex = await two_partners_through_everything(emu)
        await one_webhook_request(runtime, sam)
        logging.getLogger("bot.canary").error("a slip: %s %s", TOKEN, SECRET)

    typed = await typed_by((sam, alex), (AGREEMENT, WHY, *SHARED, HEARD, CRISIS)) | {BY_WEBHOOK}
    found = leaks(captured.lines, secrets_and_words(typed, vault_key))
    assert not found, "\n".join(found[:20])
    # The capture really saw the run, at DEBUG, and redacts what slips through.
    assert any("webhook server listening" in line for line in captured.lines)
    assert any(" DEBUG " in line for line in captured.lines)
    assert any("bot.canary" in line and "[redacted]" in line for line in captured.lines)


# ------------------------------------------------------------------ python -m bot


async def test_python_m_bot_at_debug_writes_no_user_text_and_no_secret(
    emulator, emu, database_url, vault_key
):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": emulator.url,
        "DATABASE_URL": database_url,
        "KINTSUGI_ENCRYPTION_KEYS": vault_key,
        "POLL_TIMEOUT": "1",
        "SEND_CHAT_PER_SECOND": "100",
        "SEND_CHAT_BURST": "20",
        "LOG_LEVEL": "DEBUG",
        "WEBHOOK_SECRET": SECRET,
    }
    env.pop("WEBHOOK_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    # Read as it comes: a full pipe would stall the bot mid-run.
    stderr = asyncio.create_task(process.stderr.read())
    try:
        sam, alex = await clicked_pair(emu)
        await share(sam, *SHARED)
        await reflect(alex, HEARD)
        await asyncio.gather(*(answered(user, CRISIS) for user in (sam, alex)))
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
        lines = (await stderr).decode().splitlines()

    typed = await typed_by((sam, alex), (*SHARED, HEARD, CRISIS))
    assert process.returncode == 0, "\n".join(lines[-30:])
    found = leaks(lines, secrets_and_words(typed, vault_key))
    assert not found, "\n".join(found[:20])
    assert any("stopped cleanly" in line for line in lines)
    assert any(" DEBUG " in line for line in lines)
