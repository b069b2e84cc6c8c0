"""The Emulator: wires the world, queues and APIs into one aiohttp server.

``/bot{token}/{method}`` is the Telegram Bot API; ``/_emu/...`` is the control
API and ``/`` the chat page. One instance is one bot identity, listening on
loopback only.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from playground.emulator.botapi import BotApi, check_handler_error
from playground.emulator.control import ControlApi
from playground.emulator.errors import ApiError
from playground.emulator.limits import (
    CLIENT_GONE,
    CallLog,
    ClientGone,
    FaultInjector,
    RateLimiter,
)
from playground.emulator.params import get_int, loggable, read_params
from playground.emulator.state import World
from playground.emulator.updates import UpdateQueue
from playground.emulator.webhook import WebhookDelivery

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
MAX_UPLOAD = 60 * 1024 * 1024  # Telegram allows 50 MB uploads for bots


class Emulator:
    """A loopback fake of the Telegram Bot API with a control API and chat page."""

    def __init__(self, callback_answer_window: float = 15.0) -> None:
        self.world = World()
        self.queue = UpdateQueue()
        self.webhook = WebhookDelivery(self.queue)
        self.faults = FaultInjector()
        self.limiter = RateLimiter()
        self.log = CallLog()
        self.botapi = BotApi(
            self.world, self.queue, self.webhook, self.limiter, callback_answer_window
        )
        self.control = ControlApi(
            self.world, self.queue, self.webhook, self.faults, self.limiter, self.log, self.botapi
        )
        self.url = ""
        self._runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.add_routes(self.control.routes())
        app.router.add_route("*", "/bot{token}/{method}", self.bot_endpoint)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving; returns the root URL, e.g. ``http://127.0.0.1:PORT``."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        # Release long-polls first so the server does not wait for their timeouts.
        self.queue.closing = True
        self.queue.wake()
        self.world.wake_all()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def bot_endpoint(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            params, uploads = await read_params(request)
            result = await self._call(request, method, params, uploads)
            status, body = 200, {"ok": True, "result": result}
            logged = loggable(params, uploads)
        except ClientGone:
            status, body, logged = CLIENT_GONE, {"ok": False}, params  # nobody to answer
        except Exception as exc:
            error = check_handler_error(exc)
            status, body, logged = error.status, error.payload(), params
        canonical = self.botapi.methods.get(method.lower(), (method, None))[0]
        self.log.record(canonical, _chat_id(params), status, logged)
        return web.json_response(body, status=status)

    async def _call(
        self, request: web.Request, method: str, params: dict[str, Any], uploads: Any
    ) -> Any:
        token = request.match_info["token"]
        if not TOKEN_RE.match(token):
            raise ApiError(401, "Unauthorized")
        self.world.bind_token(token)
        entry = self.botapi.methods.get(method.lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        fault = self.faults.take(entry[0])
        if fault is not None:
            await fault.apply(lambda: request.transport is None)
        return await entry[1](params, uploads)


def _chat_id(params: dict[str, Any]) -> Any:
    try:
        return get_int(params, "chat_id")
    except ApiError:
        return params.get("chat_id")
