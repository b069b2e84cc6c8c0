"""Webhook mode: an aiohttp server that stores each update before answering 200.

The secret token Telegram echoes in every request is compared in constant
time; anything else gets 403. What passes is checked before it goes near the
inbox: JSON only (415), no bigger than MAX_BODY (413, refused by its declared
length or as soon as the streamed body passes the limit, never read whole),
and a JSON object shaped like an update (400). A refusal is logged by its
reason alone, never with the body. ``/healthz`` answers when the database does.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update

from bot.telegram.intake import Intake
from bot.telegram.polling import ALLOWED_UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram/webhook"
# An update is a few kilobytes: a text is at most 4096 characters, media come as file ids.
MAX_BODY = 1024 * 1024
_ID_BOUND = 2**63  # ids go into BIGINT columns


class Refusal(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def webhook_path(url: str | None) -> str:
    path = urlsplit(url).path if url else ""
    return path or DEFAULT_PATH


class WebhookServer:
    """Takes only what it serves with: the intake updates go to, the bot they are parsed
    for (and registered with), and *check_health*, which raises when the bot cannot work."""

    def __init__(
        self,
        intake: Intake,
        bot: Bot,
        check_health: Callable[[], Awaitable[None]],
        secret: str,
        path: str = DEFAULT_PATH,
        max_body: int = MAX_BODY,
    ) -> None:
        self._intake = intake
        self._bot = bot
        self._check_health = check_health
        self._secret = secret.encode()
        self._max_body = max_body
        self._path = path
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=self._max_body)
        app.router.add_post(self._path, self._receive)
        app.router.add_get("/healthz", self._health)
        return app

    async def start(self, host: str, port: int) -> None:
        runner = self._runner = web.AppRunner(self.app(), handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self.port = runner.addresses[0][1]  # the real port when 0 was asked
        log.info("webhook server listening on %s:%s%s", host, self.port, self._path)

    async def register(self, url: str) -> None:
        """Tell Telegram where to deliver, and the secret to prove it is Telegram."""
        await self._bot.set_webhook(
            url, secret_token=self._secret.decode(), allowed_updates=ALLOWED_UPDATES
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        try:
            update = await self._update_in(request)
        except Refusal as refusal:
            log.warning("refused a webhook request: %s", refusal.reason)
            response = web.Response(status=refusal.status, text=refusal.reason)
            response.force_close()  # rather than drain a body nobody will read
            return response
        await self._intake.accept([update])
        return web.Response(text="ok")

    async def _update_in(self, request: web.Request) -> Update:
        """The update a request carries, once it has passed every check."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            raise Refusal(403, "forbidden")
        if request.content_type != "application/json":
            raise Refusal(415, "expected application/json")
        if (request.content_length or 0) > self._max_body:
            raise Refusal(413, "too large")
        try:
            body = await request.read()  # stops with 413 once past client_max_size
        except web.HTTPRequestEntityTooLarge:
            raise Refusal(413, "too large") from None
        return _parse(body, self._bot)

    async def _health(self, _request: web.Request) -> web.Response:
        try:
            await self._check_health()
        except Exception as error:  # any failure means "not healthy", and says which
            return web.json_response({"ok": False, "error": type(error).__name__}, status=503)
        return web.json_response({"ok": True})


def _parse(body: bytes, bot: Any) -> Update:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise Refusal(400, "not JSON") from None
    if not isinstance(payload, dict) or not _is_id(payload.get("update_id")):
        raise Refusal(400, "not an update")
    try:
        update = Update.de_json(payload, bot)
    except Exception:  # PTB trips over a bad shape with whatever error comes first
        raise Refusal(400, "not an update") from None
    if not _well_typed(update):
        raise Refusal(400, "not an update")
    return update


def _well_typed(update: Update) -> bool:
    """The fields the bot relies on have Telegram's types: PTB takes any type it is given."""
    people = (update.effective_user, update.effective_chat)
    message = update.effective_message
    sent = update.message or update.edited_message
    if sent is not None and sent.chat is None:  # PTB leaves out a missing chat silently
        return False
    # A callback's message may be an InaccessibleMessage, which has no text at all.
    words = (getattr(message, "text", None), getattr(message, "caption", None))
    data = update.callback_query.data if update.callback_query else None
    return all(_is_id(who.id) for who in people if who is not None) and all(
        isinstance(w, str) for w in (*words, data) if w is not None
    )


def _is_id(value: object) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return -_ID_BOUND <= value < _ID_BOUND
