"""The emulator for the load benchmark: flood control off, and a cheap way to wait for replies.

Usage: python -m bench.load_emulator

Prints ``BENCH-RESULT {"url": ...}`` once listening, then serves until its
stdin closes. Users are made in bulk (``POST /_bench/users``, from
bench.emulator_proc). ``GET /_bench/wait?user=ID&since=VERSION&after=MSG``
long-polls until the user's chat changes past VERSION and answers only the
bot's messages after message MSG, in a compact form: a simulated user reading
its whole chat back on every change would cost the emulator more than the
bot under test costs it. Callback queries stay answerable for ten minutes, so
a saturated bot's late answers are not refused as "too old".
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bench.common import report, until_stdin_closes
from bench.emulator_proc import BenchEmulator
from playground.emulator.markup import inline_buttons

CALLBACK_WINDOW_SECONDS = 600.0
MAX_WAIT_SECONDS = 60.0


class LoadEmulator(BenchEmulator):
    def __init__(self) -> None:
        super().__init__(callback_answer_window=CALLBACK_WINDOW_SECONDS)

    def make_app(self) -> web.Application:
        app = super().make_app()
        app.router.add_get("/_bench/wait", self.wait)
        return app

    async def wait(self, request: web.Request) -> web.Response:
        chat = self.world.chats.get(int(request.query["user"]))
        if chat is None:
            return web.json_response({"error": "no such user"}, status=404)
        since = int(request.query.get("since", "0"))
        after = int(request.query.get("after", "0"))
        timeout = min(float(request.query.get("timeout", "25")), MAX_WAIT_SECONDS)
        version = await self.world.wait_version(since, timeout, chat)
        messages: list[dict[str, Any]] = []
        # Newest first, stopping at `after`: the chat may be long, the news is short.
        for message_id in reversed(chat.messages):
            if message_id <= after:
                break
            message = chat.messages[message_id]
            if message.sender == "bot" and not message.deleted:
                messages.append(
                    {
                        "id": message_id,
                        "text": message.text,
                        "buttons": [
                            [button.get("text"), button.get("callback_data")]
                            for button in inline_buttons(message.reply_markup)
                        ],
                    }
                )
        messages.reverse()
        return web.json_response({"version": version, "messages": messages})


async def main() -> None:
    emulator = LoadEmulator()
    url = await emulator.start()
    report({"url": url})
    await until_stdin_closes()
    await emulator.stop()


if __name__ == "__main__":
    asyncio.run(main())
