"""Webhook delivery: POST pending updates to the bot, one at a time, with retries.

Mirrors Telegram closely enough for the bot's webhook mode to be tested:
updates go out in order, a non-2xx answer or connection error is retried
with exponential backoff (0.2 s doubling, capped at 5 s) until delivered or
the webhook is removed, and getWebhookInfo reports the last error.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp

from playground.emulator.updates import Pending, UpdateQueue

FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0


class WebhookDelivery:
    def __init__(self, queue: UpdateQueue) -> None:
        self._queue = queue
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.allowed: frozenset[str] | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None

    async def set(
        self,
        url: str,
        secret_token: str | None,
        max_connections: int,
        allowed: list[str] | None,
    ) -> None:
        await self._stop_task()
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        if allowed is not None:
            self.allowed = frozenset(allowed) if allowed else None
        self.last_error_date = self.last_error_message = None
        self._queue.webhook_active = True
        self._queue.wake()  # a pending getUpdates must now fail with 409
        self._task = asyncio.create_task(self._run(), name="webhook-delivery")

    async def delete(self) -> None:
        await self._stop_task()
        self.url, self.secret_token, self.allowed = "", None, None
        self.last_error_date = self.last_error_message = None
        self._queue.webhook_active = False

    async def close(self) -> None:
        await self.delete()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self._queue.pending_count,
        }
        if self.url:
            result["max_connections"] = self.max_connections
            result["ip_address"] = "127.0.0.1"
            if self.allowed is not None:
                result["allowed_updates"] = sorted(self.allowed)
        if self.last_error_date is not None:
            result["last_error_date"] = self.last_error_date
            result["last_error_message"] = self.last_error_message
        return result

    async def _stop_task(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = FIRST_BACKOFF
        while True:
            changed = self._queue.changed_event  # taken before the check: no lost wake-up
            pending = self._queue.head(self.allowed)
            if pending is None:
                await changed.wait()
                continue
            if await self._deliver(pending):
                self._queue.remove(pending)
                backoff = FIRST_BACKOFF
            else:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    async def _deliver(self, pending: Pending) -> bool:
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        try:
            async with self._client().post(self.url, json=pending.update, headers=headers) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return True
                self._record_error(f"Wrong response from the webhook: {resp.status} {resp.reason}")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self._record_error(f"Connection failed: {exc.__class__.__name__}: {exc}")
        return False

    def _record_error(self, message: str) -> None:
        self.last_error_date = int(time.time())
        self.last_error_message = message

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30), trust_env=False
            )
        return self._session
