"""The emulator in its own process, with users made in bulk and a summary of what it saw.

Usage: python -m bench.emulator_proc FIRST_USER_ID COUNT

Prints ``BENCH-RESULT {"url": ...}`` once listening, then serves until its
stdin closes. Users are added to the emulator's world directly (one HTTP call
each through the control API would dominate the setup: see make_users).
``GET /_bench/stats?since=SEQ`` summarises the call log from SEQ on, so that
100,000 calls need not travel over HTTP to be counted.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from typing import Any

from aiohttp import web

from bench.common import most_in_any_window, report, until_stdin_closes
from playground.emulator import Emulator


class BenchEmulator(Emulator):
    def make_app(self) -> web.Application:
        app = super().make_app()
        app.router.add_get("/_bench/stats", self.stats)
        app.router.add_post("/_bench/users", self.bulk_users)
        return app

    def make_users(self, first_id: int, count: int) -> float:
        started = time.perf_counter()
        for user_id in range(first_id, first_id + count):
            self.world.add_user(f"User {user_id}", user_id=user_id)
        return time.perf_counter() - started

    async def bulk_users(self, request: web.Request) -> web.Response:
        body = await request.json()
        seconds = self.make_users(int(body["first_id"]), int(body["count"]))
        return web.json_response({"seconds": seconds, "users": len(self.world.chats)})

    async def stats(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        calls, last = self.log.since(since)
        sends = [c for c in calls if c["method"] == "sendMessage"]
        delivered = [c for c in sends if c["status"] == 200]
        statuses = Counter(c["status"] for c in sends)
        per_chat = Counter(c["chat_id"] for c in delivered)
        stamps = sorted(c["at"] for c in delivered)
        # Chats' own record: bot messages in each chat the log saw a delivery to.
        in_chats = Counter(
            sum(1 for m in self.world.chats[chat].messages.values() if m.sender == "bot")
            for chat in per_chat
            if chat in self.world.chats
        )
        result: dict[str, Any] = {
            "next": last,
            "calls": len(calls),
            "sent_ok": len(delivered),
            "statuses": {str(k): v for k, v in statuses.items()},
            "too_many_requests": statuses.get(429, 0),
            "chats": len(per_chat),
            "chats_twice": sum(1 for n in per_chat.values() if n > 1),
            "messages_per_chat": {str(k): v for k, v in in_chats.items()},
            "first_at": stamps[0] if stamps else None,
            "last_at": stamps[-1] if stamps else None,
            "peak_per_second": most_in_any_window(stamps),
        }
        return web.json_response(result)


async def main(first_id: int, count: int) -> None:
    emulator = BenchEmulator()
    seconds = emulator.make_users(first_id, count)
    url = await emulator.start()
    report({"url": url, "users": count, "make_users_seconds": seconds})
    await until_stdin_closes()
    await emulator.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
