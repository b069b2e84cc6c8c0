"""Entry point: ``python -m bot`` polls, ``python -m bot webhook`` serves webhooks.

With no TELEGRAM_BOT_TOKEN the playground starts instead: a local Telegram
emulator and a web page where two partners can try the bot side by side.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

from bot import logsafety
from bot.crypto import vault_from_settings
from bot.db.database import Database
from bot.db.rekey import rotate_keys
from bot.playground_launcher import run_with_playground
from bot.runtime import Runtime
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")
USAGE = "usage: python -m bot [polling|webhook|rotate-keys]"


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "polling"
    if mode not in ("polling", "webhook", "rotate-keys"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    logsafety.configure(settings)
    if mode == "rotate-keys":
        asyncio.run(_rotate_keys(settings))
        return 0
    if settings.telegram_bot_token is None:
        return run_with_playground(settings)
    if mode == "webhook" and not settings.webhook_secret:
        print("Invalid configuration:\n  WEBHOOK_SECRET: required in webhook mode", file=sys.stderr)
        return 2
    runner = _serve_webhook if mode == "webhook" else _poll
    asyncio.run(_until_signal(settings, runner))
    return 0


async def _until_signal(
    settings: Settings, runner: Callable[[Runtime, asyncio.Event], Awaitable[None]]
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runtime = Runtime(settings)
    await runtime.start()
    try:
        await runner(runtime, stop)
    finally:
        await runtime.stop()
        log.info("stopped cleanly")


async def _poll(runtime: Runtime, stop: asyncio.Event) -> None:
    log.info("polling %s", runtime.settings.telegram_api_base_url)
    await runtime.run_polling(stop)


async def _serve_webhook(runtime: Runtime, stop: asyncio.Event) -> None:
    secret = runtime.settings.webhook_secret
    assert secret, "main() refuses webhook mode without WEBHOOK_SECRET"
    server = runtime.webhook_server(secret)
    await server.start(runtime.settings.host, runtime.settings.port)
    if runtime.settings.webhook_url:
        await server.register(runtime.settings.webhook_url)
    else:
        log.warning("WEBHOOK_URL is not set: serving, but not registering with Telegram")
    try:
        await stop.wait()
    finally:
        await server.stop()


async def _rotate_keys(settings: Settings) -> None:
    vault = vault_from_settings(settings.encryption_keys, settings.key_file)
    db = await Database.open(settings.database_url, vault)
    try:
        count = await rotate_keys(db)
    finally:
        await db.close()
    print(f"re-sealed {count} stored values with the first key")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
