"""``python -m bot`` as a user runs it: bad settings named, graceful stops, the playground."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.crashes import free_port
from tests.e2e.harness import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "WEBHOOK_URL")
    }
    env.update(extra)
    return env


async def _spawn(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://db/kintsugi"),
        ("PORT", "eighty"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_BASE_URL", "ftp://x"),
    ],
)
async def test_a_bad_setting_stops_start_up_and_names_the_variable(variable, value):
    process = await _spawn(env=_env(**{variable: value}))
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert variable in stderr.decode()


async def test_webhook_mode_answers_health_and_stops_gracefully(emulator, tmp_path, vault_key):
    port = free_port()
    env = _env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.db'}",
        KINTSUGI_ENCRYPTION_KEYS=vault_key,
        WEBHOOK_SECRET="secret-0123456789",
        PORT=str(port),
        HOST="127.0.0.1",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
    )
    process = await _spawn("webhook", env=env)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the webhook server never answered /healthz")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "stopped cleanly" in stderr.decode()


async def test_polling_mode_stops_gracefully_on_sigterm(emulator, tmp_path, vault_key):
    env = _env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'poll.db'}",
        KINTSUGI_ENCRYPTION_KEYS=vault_key,
        POLL_TIMEOUT="1",
    )
    process = await _spawn(env=env)
    await _until_commands_set(emulator.url)  # running, however slow the imports were
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]


async def _until_commands_set(url: str) -> None:
    """The bot sets its command menu once it is up; wait for that instead of guessing."""
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            async with http.get(url + "/_emu/state") as state:
                if (await state.json())["commands"]:
                    return
            await asyncio.sleep(0.1)
    raise AssertionError("the bot never started")


async def test_without_a_token_the_playground_starts_and_prints_its_address(tmp_path):
    env = _env(PLAYGROUND_PORT="0", DATABASE_URL=f"sqlite:///{tmp_path / 'play.db'}")
    process = await _spawn(env=env)
    try:
        line = ""
        while "open http" not in line:
            line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
            assert line, "the playground exited before printing its address"
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "/") as page:
                assert page.status == 200 and "<html" in (await page.text()).lower()
            for _ in range(100):  # the bot sets its command menu once it is running
                async with http.get(url + "/_emu/state") as state:
                    if (await state.json())["commands"]:
                        break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the bot never reached the playground")
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.communicate(), 30)
