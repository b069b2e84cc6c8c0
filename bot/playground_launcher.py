"""No token: start the playground emulator as its own process and run the bot against it.

The playground is a separate program (it imports nothing of ours), so it is
started the way any user would start it, and the bot talks to it over HTTP
exactly as it talks to Telegram.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bot.settings import VAR_DIR, Settings

PLAYGROUND_TOKEN = "1000001:playground-token-not-a-secret-000"
READY = "PLAYGROUND_READY "


def run_with_playground(settings: Settings) -> int:
    emulator = subprocess.Popen(
        [sys.executable, "-m", "playground", "--port", str(settings.playground_port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = _wait_ready(emulator)
        print(
            f"\nKintsugi playground: open {url}/ in your browser "
            "(two partners side by side). Ctrl+C stops.\n",
            flush=True,
        )
        return _run_bot(url, settings)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


def _wait_ready(emulator: subprocess.Popen) -> str:
    assert emulator.stdout is not None  # started with stdout=PIPE
    for line in emulator.stdout:
        if line.startswith(READY):
            return line[len(READY) :].strip()
    raise SystemExit("the playground did not start; see the messages above")


def _run_bot(url: str, settings: Settings) -> int:
    # A child process, so the bot reads its settings from the environment as always.
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": PLAYGROUND_TOKEN, "TELEGRAM_API_BASE_URL": url}
    if "DATABASE_URL" not in os.environ:
        # The emulator forgets its users when it stops; so must the bot, or a new
        # "Sam" would inherit the answers of last session's user with the same id.
        fresh = VAR_DIR / "playground.db"
        for path in (
            fresh,
            fresh.with_name("playground.db-wal"),
            fresh.with_name("playground.db-shm"),
        ):
            path.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{fresh}"
    try:
        return subprocess.call([sys.executable, "-m", "bot"], env=env)
    except KeyboardInterrupt:
        return 0
