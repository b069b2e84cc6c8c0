"""Webhook mode: an aiohttp server that stores each update before answering 200.

The secret token Telegram echoes in every request is compared in constant
time; anything else gets 403. ``/healthz`` answers when the database does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text
from telegram import Update

from bot.polling import ALLOWED_UPDATES
from bot.runtime import Runtime

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram/webhook"


def webhook_path(url: str | None) -> str:
    path = urlsplit(url).path if url else ""
    return path or DEFAULT_PATH


class WebhookServer:
    def __init__(self, runtime: Runtime, secret: str) -> None:
        self._runtime = runtime
        self._secret = secret.encode()
        self._path = webhook_path(runtime.settings.webhook_url)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self._path, self._receive)
        app.router.add_get("/healthz", self._health)
        return app

    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.app(), handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # the real port when 0 was asked
        log.info("webhook server listening on %s:%s%s", host, self.port, self._path)

    async def register(self, url: str) -> None:
        """Tell Telegram where to deliver, and the secret to prove it is Telegram."""
        await self._runtime.application.bot.set_webhook(
            url, secret_token=self._secret.decode(), allowed_updates=ALLOWED_UPDATES)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="forbidden")
        try:
            payload = json.loads(await request.read())
            update = Update.de_json(payload, self._runtime.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        await self._runtime.intake.accept([update])
        return web.Response(text="ok")

    async def _health(self, _request: web.Request) -> web.Response:
        try:
            async with self._runtime.db.engine.connect() as connection:
                await asyncio.wait_for(connection.execute(text("SELECT 1")), 5)
        except Exception as error:  # any failure means "not healthy", and says which
            return web.json_response({"ok": False, "error": type(error).__name__}, status=503)
        return web.json_response({"ok": True})
