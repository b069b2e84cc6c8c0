"""No token: start the playground emulator as its own process and run the bot against it.

The playground is a separate program (it imports nothing of ours), so it is
started the way any user would start it, and the bot talks to it over HTTP
exactly as it talks to Telegram.
"""

from __future__ import annotations

import subprocess
import sys

from bot.settings import Settings

PLAYGROUND_TOKEN = "1000001:playground-token-not-a-secret-000"
READY = "PLAYGROUND_READY "


def run_with_playground(settings: Settings) -> int:
    emulator = subprocess.Popen(
        [sys.executable, "-m", "playground", "--port", str(settings.playground_port)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        url = _wait_ready(emulator)
        print(f"\nKintsugi playground: open {url}/ in your browser "
              "(two partners side by side). Ctrl+C stops.\n", flush=True)
        return _run_bot(url)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


def _wait_ready(emulator: subprocess.Popen) -> str:
    for line in emulator.stdout:
        if line.startswith(READY):
            return line[len(READY):].strip()
    raise SystemExit("the playground did not start; see the messages above")


def _run_bot(url: str) -> int:
    # A child process, so the bot reads its settings from the environment as always.
    import os

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": PLAYGROUND_TOKEN, "TELEGRAM_API_BASE_URL": url}
    try:
        return subprocess.call([sys.executable, "-m", "bot"], env=env)
    except KeyboardInterrupt:
        return 0
