"""Kintsugi as ``python -m bot`` runs it (Runtime, long polling), for the load benchmark.

Usage: python -m bench.load_kintsugi API_URL DATABASE_URL KEY

The sender's rate limits are raised far above the load, since the
emulator's flood control is off for this benchmark. Reports
``BENCH-RESULT {"pid": ...}`` once polling, and stops when its stdin closes.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING

from bench.common import TOKEN, report, until_stdin_closes

if TYPE_CHECKING:  # the bot itself is imported when run, not when this module loads
    from bot.settings import Settings

UNLIMITED_RATE = 100_000


def settings(api_url: str, database_url: str, key: str) -> Settings:
    from bot.settings import load_settings

    return load_settings(
        _env_file=None,
        **{
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api_url,
            "DATABASE_URL": database_url,
            "KINTSUGI_ENCRYPTION_KEYS": key,
            "SEND_GLOBAL_PER_SECOND": UNLIMITED_RATE,
            "SEND_CHAT_PER_SECOND": UNLIMITED_RATE,
            "SEND_CHAT_BURST": UNLIMITED_RATE,
            "LOG_LEVEL": "WARNING",
        },
    )


async def main(api_url: str, database_url: str, key: str) -> None:
    from bot import logsafety, timezones
    from bot.runtime import Runtime

    config = settings(api_url, database_url, key)
    logsafety.configure(config)
    # The place look-ups are loaded, as in a bot that has run for a while (Runtime.start
    # loads them in the background; its CPU would otherwise land inside the first run).
    await asyncio.to_thread(timezones.warm_up)
    runtime = Runtime(config)
    await runtime.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(runtime.run_polling(stop))
    report({"pid": os.getpid()})
    await until_stdin_closes()
    stop.set()
    await polling
    await runtime.stop()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
