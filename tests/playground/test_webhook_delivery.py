"""Webhook delivery as the Bot API server does it: several requests at once, up to
max_connections, never two of one chat at once, each chat in order, and a chat whose
delivery fails waits for its retry while the others go on."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from aiohttp import web

from playground.client import EmulatorClient

if TYPE_CHECKING:  # conftest is not importable at runtime (no tests/__init__.py)
    from conftest import BotApiCaller

PEOPLE, MESSAGES, MAX_CONNECTIONS = 6, 4, 3


class Hook:
    """A webhook that takes its time, and remembers who was being served at once."""

    def __init__(self, failing_chat: int) -> None:
        self.received: dict[int, list[str]] = defaultdict(list)
        self.in_flight: Counter[int] = Counter()
        self.peak = 0
        self.same_chat_at_once = 0
        self._fail_once = {failing_chat}

    async def handle(self, request: web.Request) -> web.Response:
        message = (await request.json())["message"]
        chat = message["chat"]["id"]
        self.same_chat_at_once += self.in_flight[chat] > 0
        self.in_flight[chat] += 1
        self.peak = max(self.peak, sum(self.in_flight.values()))
        try:
            await asyncio.sleep(0.05)
            if chat in self._fail_once:
                self._fail_once.discard(chat)
                return web.Response(status=502)
            self.received[chat].append(message["text"])
            return web.Response(text="ok")
        finally:
            self.in_flight[chat] -= 1


async def test_many_chats_at_once_each_in_order(emu: EmulatorClient, api: BotApiCaller) -> None:
    people = [await emu.create_user(f"Person {n}") for n in range(PEOPLE)]
    hook = Hook(failing_chat=people[0].id)
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        for n in range(MESSAGES):
            for person in people:
                await person.send(f"{person.id}:{n}")
        await api.ok(
            "setWebhook",
            url=f"http://127.0.0.1:{runner.addresses[0][1]}/hook",
            max_connections=MAX_CONNECTIONS,
        )
        for _ in range(200):
            if sum(map(len, hook.received.values())) == PEOPLE * MESSAGES:
                break
            await asyncio.sleep(0.05)
        assert hook.received == {p.id: [f"{p.id}:{n}" for n in range(MESSAGES)] for p in people}
        assert hook.same_chat_at_once == 0
        assert 1 < hook.peak <= MAX_CONNECTIONS
        info = await api.ok("getWebhookInfo")
        assert info["pending_update_count"] == 0 and "502" in info["last_error_message"]
    finally:
        await runner.cleanup()
