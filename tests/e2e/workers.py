"""Several real webhook workers behind one round-robin balancer, as a deployment runs them.

Each worker is ``python -m bot webhook`` in its own process, on its own port,
with the same database and keys, all registering the balancer's address with
Telegram (the emulator). A worker's log goes to a file, read back when a test
fails, since three processes writing to one terminal would say nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.common import start_service, stop_service
from tests.e2e.balancer import RoundRobinBalancer
from tests.e2e.crashes import BotProcess, _spawn, bot_env, free_port

SECRET = "many-workers-secret_0123456789"
HOOK_PATH = "/telegram/webhook"
START_SECONDS = 90.0


class WebhookWorker(BotProcess):
    """``python -m bot webhook`` on its own port, logging to its own file."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        super().__init__({**env, "PORT": str(port)})
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = await _spawn(self._env, "-m", "bot", "webhook", stderr=log)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def until_healthy(self, timeout: float = START_SECONDS) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession(trust_env=False) as http:
            while asyncio.get_running_loop().time() < deadline:
                if not self.alive:
                    raise AssertionError(f"worker on {self.port} exited\n{self.log_tail()}")
                try:
                    async with http.get(self.url + "/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"worker on {self.port} never became healthy\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@asynccontextmanager
async def emulator_apart() -> AsyncIterator[str]:
    """The emulator in a process of its own; its address. Sharing the test's process with
    hundreds of simulated people, it would answer the bot late (PTB times out at 5 s)."""
    process, ready = await start_service("bench.emulator_proc", "1", "0")
    try:
        yield ready["url"]
    finally:
        await stop_service(process)


@dataclass
class Deployment:
    workers: list[WebhookWorker]
    balancer: RoundRobinBalancer

    def logs(self) -> str:
        return "\n".join(
            f"--- worker {n} (port {w.port})\n{w.log_tail()}" for n, w in enumerate(self.workers)
        )


@asynccontextmanager
async def behind_a_balancer(
    count: int, api_url: str, database_url: str, vault_key: str, log_dir: Path, **env: str
) -> AsyncIterator[Deployment]:
    """*count* webhook workers, started together, behind one balancer they register."""
    ports = [free_port() for _ in range(count)]
    balancer = RoundRobinBalancer([f"http://127.0.0.1:{port}" for port in ports])
    await balancer.start()
    shared = {
        **bot_env(api_url, database_url, vault_key),
        "HOST": "127.0.0.1",
        "WEBHOOK_URL": balancer.url + HOOK_PATH,
        "WEBHOOK_SECRET": SECRET,
        **env,
    }
    workers = [
        WebhookWorker(shared, port, log_dir / f"worker-{n}.log") for n, port in enumerate(ports)
    ]
    try:
        for worker in workers:
            await worker.start()
        await asyncio.gather(*(worker.until_healthy() for worker in workers))
        yield Deployment(workers, balancer)
    finally:
        await asyncio.gather(*(worker.terminate() for worker in workers), return_exceptions=True)
        await balancer.stop()
