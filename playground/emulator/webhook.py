"""Webhook delivery: POST pending updates to the bot, many at once, each chat in order.

Mirrors the Bot API server closely enough for the bot's webhook mode, on one
worker or several behind a balancer, to be tested: up to ``max_connections``
requests are in flight at once, but never two updates of the same chat or
the same user, and a chat's updates go out in the order they came. A non-2xx
answer or a connection error is retried with exponential backoff (0.2 s
doubling, capped at 5 s) until delivered or the webhook is removed; the chat
waits meanwhile, other chats do not. getWebhookInfo reports the last error.
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
        # Each update being delivered (or waiting for its retry), with its task.
        self._in_flight: dict[Pending, asyncio.Task[None]] = {}
        self._connections = asyncio.Semaphore(40)
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
        self._connections = asyncio.Semaphore(max_connections)
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
        tasks = [self._task] if self._task is not None else []
        tasks.extend(self._in_flight.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._in_flight.clear()

    async def _run(self) -> None:
        while True:
            changed = self._queue.changed_event  # taken before the look: no lost wake-up
            self._start_what_may_go()
            await changed.wait()

    def _start_what_may_go(self) -> None:
        """Start every update whose chat and user have nothing older pending or in flight."""
        held: set[tuple[str, int]] = set()
        for pending in self._queue.deliverable(self.allowed):
            parties = _parties(pending.update)
            if pending not in self._in_flight and not parties & held:
                self._in_flight[pending] = asyncio.create_task(
                    self._deliver_in_turn(pending), name=f"webhook-{pending.update_id}"
                )
            held |= parties

    async def _deliver_in_turn(self, pending: Pending) -> None:
        backoff = FIRST_BACKOFF
        try:
            while not await self._deliver(pending):
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            self._queue.remove(pending)
        finally:
            self._in_flight.pop(pending, None)
            self._queue.wake()  # the next update of this chat may go now

    async def _deliver(self, pending: Pending) -> bool:
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        try:
            async with (
                self._connections,
                self._client().post(self.url, json=pending.update, headers=headers) as resp,
            ):
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


def _parties(update: dict[str, Any]) -> set[tuple[str, int]]:
    """The chat and the user an update is about: two of theirs never travel at once."""
    parties: set[tuple[str, int]] = set()
    for key, body in update.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        for kind, who in (("chat", chat), ("user", body.get("from"))):
            if isinstance(who, dict) and isinstance(who.get("id"), int):
                parties.add((kind, who["id"]))
    return parties
