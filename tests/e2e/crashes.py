"""A real bot process to kill -9, and what a test checks around the kill.

``BotProcess`` runs ``python -m bot`` as a child. ``ForkedBotProcess`` runs
the same entry point, ``bot.__main__.main``, in a process forked from a
parent that has done the imports once (1-2 s of CPU here, which fifty
restarts could not afford); killing it is killing a bot process all the
same: its connections drop and nothing it had not committed survives.

``kill_outside_the_window`` kills at any moment but one: after Telegram
took a message and before the bot recorded that. The Bot API has no
idempotency key and no way to ask what a chat holds, so a bot killed there
sends that message again after the restart (at least once, never lost).
No bot can close that window; a test that kills at random steps out of it
on purpose, and nowhere else.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from playground.client import EmulatorClient
from tests.e2e.harness import TOKEN

ROOT = Path(__file__).resolve().parents[2]
# The parent of ForkedBotProcess: imports once, then on "start" forks a child that runs
# the bot's entry point, and on "wait <pid>" reaps it and tells its exit status.
FORK_SERVER = """
import os, sys
import bot.__main__ as entry
for line in sys.stdin:
    command, *args = line.split()
    if command == "wait":
        print(os.waitpid(int(args[0]), 0)[1], flush=True)
        continue
    child = os.fork()
    if child:
        print(child, flush=True)
        continue
    quiet = os.open(os.devnull, os.O_RDWR)
    os.dup2(quiet, 0)
    os.dup2(quiet, 1)
    try:
        os._exit(entry.main([]))
    finally:
        os._exit(1)
"""
# Every call the sender takes from the outbox. Others (answerCallbackQuery, typing,
# setMyCommands) are not recorded anywhere, so no kill can make them go out twice.
OUTBOX_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "deleteMessage",
    }
)
# An answered call the sender records: sent (200, or 400 "not modified") or given up (400).
RECORDED_STATUSES = frozenset({200, 400})
HOLD_SECONDS = 120.0


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bot_env(api_url: str, database_url: str, vault_key: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "DATABASE_URL": database_url,
        "KINTSUGI_ENCRYPTION_KEYS": vault_key,
        "POLL_TIMEOUT": "1",
        "SEND_CHAT_PER_SECOND": "100",
        "SEND_CHAT_BURST": "20",
    }


def _spawn(env: dict[str, str], *command: str, **pipes):
    quiet = {"stdout": asyncio.subprocess.DEVNULL, "stderr": asyncio.subprocess.DEVNULL}
    return asyncio.create_subprocess_exec(
        sys.executable, *command, cwd=ROOT, env=env, **{**quiet, **pipes}
    )


class BotProcess:
    """``python -m bot`` as a child process, killed without mercy when asked."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await _spawn(self._env, "-m", "bot")

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.terminate()
            await asyncio.wait_for(self.process.wait(), 15)


class ForkedBotProcess:
    """The bot's entry point in a process forked from a parent that imported it already."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self._parent: asyncio.subprocess.Process | None = None
        self.pid: int | None = None
        self.starts = 0

    async def start(self) -> None:
        if self._parent is None:
            self._parent = await _spawn(
                self._env,
                "-c",
                FORK_SERVER,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        self.pid = int(await self._ask("start"))
        self.starts += 1

    async def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        await self._ask(f"wait {self.pid}")

    async def terminate(self) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGTERM)
            await asyncio.wait_for(self._ask(f"wait {self.pid}"), 15)
        if self._parent is not None:
            self._parent.stdin.close()
            await asyncio.wait_for(self._parent.wait(), 15)

    async def _ask(self, command: str) -> str:
        self._parent.stdin.write(f"{command}\n".encode())
        await self._parent.stdin.drain()
        return (await self._parent.stdout.readline()).decode().strip()


@asynccontextmanager
async def bot_in_a_process(
    api_url: str, database_url: str, vault_key: str, forked: bool = False
) -> AsyncIterator[BotProcess | ForkedBotProcess]:
    env = bot_env(api_url, database_url, vault_key)
    process = ForkedBotProcess(env) if forked else BotProcess(env)
    await process.start()
    try:
        yield process
    finally:
        await process.terminate()


# ------------------------------------------------------------------ the database's view


async def pending(engine: AsyncEngine) -> tuple[int, int]:
    """Updates not yet handled, and replies not yet sent."""
    async with engine.connect() as connection:
        inbox = (
            await connection.execute(text("SELECT count(*) FROM inbox WHERE handled_at IS NULL"))
        ).scalar_one()
        outbox = (
            await connection.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'"))
        ).scalar_one()
        return inbox, outbox


async def settled(engine: AsyncEngine, tries: int = 200) -> None:
    """Wait until every update is handled and every reply sent."""
    for _ in range(tries):
        if await pending(engine) == (0, 0):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never caught up")


async def recorded_per_chat(engine: AsyncEngine) -> Counter[int]:
    """Outbox calls per chat that the sender recorded as answered (sent or given up)."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT chat_id, count(*) FROM outbox WHERE status IN ('sent', 'dead') "
                "GROUP BY chat_id"
            )
        )
        return Counter({int(chat_id): count for chat_id, count in rows})


async def expire_leases(engine: AsyncEngine) -> None:
    """The dead process's claims run out now instead of LEASE later, as they would anyway.

    SQLite releases them itself at start (one process); on PostgreSQL another
    worker, or the restarted one, waits for the lease, which is only time.
    """
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE outbox SET lease_until = NULL WHERE status = 'pending'")
        )


# ------------------------------------------------------------------ killing


class AnsweredCalls:
    """The outbox calls the emulator answered, per chat, read from its log as it grows."""

    def __init__(self, emu: EmulatorClient) -> None:
        self._emu = emu
        self._seen = 0
        self.per_chat: Counter[int] = Counter()

    async def refresh(self) -> Counter[int]:
        page = await self._emu.log_page(self._seen)
        for call in page["calls"]:
            if call["method"] in OUTBOX_METHODS and call["status"] in RECORDED_STATUSES:
                self.per_chat[int(call["chat_id"])] += 1
        self._seen = page["next"]
        return self.per_chat


async def kill_outside_the_window(
    process: BotProcess, emu: EmulatorClient, answered: AnsweredCalls, engine: AsyncEngine
) -> None:
    """kill -9 now, unless Telegram took a message the bot has not recorded yet:
    then hold every new call, wait the few milliseconds until it is recorded, and kill.

    Held calls are refused once the process is dead, so they never happened.
    """
    await emu.set_faults(stall_seconds=HOLD_SECONDS, drop=True, count=None)
    try:
        for _ in range(400):
            # The emulator applies and logs a call in one step, so after the hold is in
            # place the log is complete: only the database may still be behind.
            if await answered.refresh() == await recorded_per_chat(engine):
                break
            await asyncio.sleep(0.005)
        else:
            raise AssertionError("answered calls were never recorded")
        await process.kill()
    finally:
        await emu.clear_faults()


@asynccontextmanager
async def watching(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The test's own connection to the bot's database, to see what it holds."""
    engine = create_async_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()
