"""The /_emu/ control API: play the users' side and steer the fake Telegram.

Tests, benchmarks and the web page use it to create users, make them type,
press buttons, block the bot, inject raw updates, read a chat back, inject
faults and flood limits, and long-poll for changes. It is JSON in/out and
answers errors as ``{"ok": false, "error": "..."}`` with a 4xx status.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from playground.emulator.botapi import BotApi
from playground.emulator.html_entities import command_entities
from playground.emulator.limits import CallLog, FaultInjector, RateLimiter
from playground.emulator.markup import inline_buttons
from playground.emulator.objects import (
    MEDIA_KINDS,
    chat_json,
    chat_message_doc,
    message_json,
    user_media,
)
from playground.emulator.state import Chat, Message, World, now_unix
from playground.emulator.updates import UpdateQueue
from playground.emulator.webhook import WebhookDelivery

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
WEB_TYPES = {".ttf": "font/ttf", ".txt": "text/plain; charset=utf-8"}
MAX_LONG_POLL = 60.0
JsonHandler = Callable[[web.Request], Awaitable[Any]]


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(handler: JsonHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a handler returning plain data into a JSON endpoint with JSON errors."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return web.json_response(await handler(request))
        except ControlError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
        except (ValueError, TypeError, KeyError) as exc:
            return web.json_response({"ok": False, "error": f"bad request: {exc}"}, status=400)

    return wrapped


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ControlError(400, "body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def _live_bot_messages(chat: Chat, message_id: Any) -> list[Message]:
    """The message a button press names, or else the bot's messages newest first."""
    if message_id is not None:
        named = chat.messages.get(int(message_id))
        found = [named] if named is not None else []
    else:
        found = [m for m in reversed(chat.messages.values()) if m.sender == "bot"]
    return [m for m in found if not m.deleted]


class ControlApi:
    def __init__(
        self,
        world: World,
        queue: UpdateQueue,
        webhook: WebhookDelivery,
        faults: FaultInjector,
        limiter: RateLimiter,
        log: CallLog,
        botapi: BotApi,
    ) -> None:
        self.world, self.queue, self.webhook = world, queue, webhook
        self.faults, self.limiter, self.log, self.botapi = faults, limiter, log, botapi

    def routes(self) -> list[web.RouteDef]:
        j = _json
        return [
            web.get("/", self.index),
            web.get("/_emu/web/{name}", self.static),
            web.get("/_emu/files/{file_id}", self.file),
            web.post("/_emu/users", j(self.create_user)),
            web.get("/_emu/users", j(self.list_users)),
            web.post("/_emu/users/{id}/messages", j(self.user_message)),
            web.post("/_emu/users/{id}/edits", j(self.user_edit)),
            web.post("/_emu/users/{id}/presses", j(self.press)),
            web.post("/_emu/users/{id}/block", j(self.block)),
            web.post("/_emu/users/{id}/language", j(self.language)),
            web.get("/_emu/users/{id}/chat", j(self.chat_doc)),
            web.post("/_emu/updates", j(self.inject)),
            web.get("/_emu/log", j(self.call_log)),
            web.post("/_emu/faults", j(self.add_fault)),
            web.delete("/_emu/faults", j(self.clear_faults)),
            web.post("/_emu/rate_limits", j(self.rate_limits)),
            web.get("/_emu/version", j(self.version)),
            web.get("/_emu/state", j(self.state)),
            web.post("/_emu/reset", j(self.reset)),
        ]

    # -- page and files --------------------------------------------------------

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-store"})

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = WEB_DIR / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        headers = {"Cache-Control": "no-store"}
        if path.suffix in WEB_TYPES:  # Python's own table lacks fonts before 3.12
            headers["Content-Type"] = WEB_TYPES[path.suffix]
        return web.FileResponse(path, headers=headers)

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None or stored.data is None:
            raise web.HTTPNotFound()
        # A file_id always means the same bytes, so the page need not fetch it again.
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type,
            headers={"Cache-Control": "private, max-age=86400, immutable"},
        )

    # -- users --------------------------------------------------------------------

    def _chat(self, request: web.Request) -> Chat:
        try:
            chat = self.world.chats.get(int(request.match_info["id"]))
        except ValueError:
            chat = None
        if chat is None:
            raise ControlError(404, "no such user")
        return chat

    @staticmethod
    def _user_doc(chat: Chat) -> dict[str, Any]:
        return {**chat.user, "blocked": chat.blocked}

    async def create_user(self, request: web.Request) -> Any:
        body = await _body(request)
        first_name = body.get("first_name")
        if not isinstance(first_name, str) or not first_name.strip():
            raise ControlError(400, "first_name is required")
        user_id = body.get("id")
        if user_id is not None and user_id in self.world.chats:
            raise ControlError(409, f"user {user_id} already exists")
        chat = self.world.add_user(
            first_name.strip(),
            body.get("username") or None,
            body.get("language_code") or "en",
            int(user_id) if user_id is not None else None,
        )
        return self._user_doc(chat)

    async def language(self, request: web.Request) -> Any:
        """The user switched their Telegram app's language: their next updates say so."""
        chat = self._chat(request)
        code = (await _body(request)).get("language_code")
        if not isinstance(code, str) or not code.strip():
            raise ControlError(400, "language_code must be a non-empty string")
        chat.user["language_code"] = code.strip()
        return self._user_doc(chat)

    async def list_users(self, request: web.Request) -> Any:
        return [self._user_doc(chat) for chat in self.world.chats.values()]

    def _usable(self, request: web.Request) -> Chat:
        chat = self._chat(request)
        if chat.blocked:
            raise ControlError(409, "this user has blocked the bot; unblock first")
        return chat

    async def user_message(self, request: web.Request) -> Any:
        chat = self._usable(request)
        message = self._user_message(chat, await _body(request))
        if chat.reply_keyboard and chat.reply_keyboard.get("one_time_keyboard"):
            chat.reply_keyboard = None  # the client hides a one-time keyboard after use
        rendered = message_json(self.world, message)
        update = self.queue.push({"message": rendered})
        self.world.bump(chat)
        return {"update": update, "message": rendered}

    def _user_message(self, chat: Chat, body: dict[str, Any]) -> Message:
        if "text" in body:
            text = body["text"]
            if not isinstance(text, str) or not text.strip():
                raise ControlError(400, "text must be a non-empty string")
            return chat.add_message("user", "text", text=text, entities=command_entities(text))
        if isinstance(body.get("location"), dict):
            location = {
                "latitude": float(body["location"]["latitude"]),
                "longitude": float(body["location"]["longitude"]),
            }
            return chat.add_message("user", "location", media={"location": location})
        for kind in (*MEDIA_KINDS, "contact"):
            if body.get(kind):
                caption = str(body.get("caption") or "")[:1024]
                return chat.add_message("user", kind, media=user_media(kind, chat), text=caption)
        raise ControlError(
            400, "send one of text, sticker, photo, voice, document, location, contact"
        )

    async def user_edit(self, request: web.Request) -> Any:
        chat = self._usable(request)
        body = await _body(request)
        message = chat.messages.get(int(body.get("message_id", 0)))
        text = body.get("text")
        if message is None or message.sender != "user" or message.kind != "text" or message.deleted:
            raise ControlError(400, "no such text message from this user")
        if not isinstance(text, str) or not text.strip():
            raise ControlError(400, "text must be a non-empty string")
        message.text, message.entities = text, command_entities(text)
        message.edit_date, message.edit_count = now_unix(), message.edit_count + 1
        rendered = message_json(self.world, message)
        update = self.queue.push({"edited_message": rendered})
        self.world.bump(chat)
        return {"update": update, "message": rendered}

    async def press(self, request: web.Request) -> Any:
        chat = self._usable(request)
        body = await _body(request)
        message, data = self._find_button(chat, body)
        record = self.world.new_callback(chat)
        query = {
            "id": record.query_id,
            "from": chat.user,
            "message": message_json(self.world, message),
            "chat_instance": chat.chat_instance,
            "data": data,
        }
        update = self.queue.push({"callback_query": query})
        self.world.bump(chat)
        return {"update": update, "callback_query_id": record.query_id}

    def _find_button(self, chat: Chat, body: dict[str, Any]) -> tuple[Message, str]:
        message_id, data, label = (
            body.get("message_id"),
            body.get("callback_data"),
            body.get("button_text"),
        )
        candidates = _live_bot_messages(chat, message_id)
        if body.get("forge"):
            if not isinstance(data, str) or not candidates:
                raise ControlError(400, "forge needs callback_data and a bot message")
            return candidates[0], data
        if data is None and label is None:
            raise ControlError(400, "give callback_data or button_text")
        for message in candidates:
            for button in inline_buttons(message.reply_markup):
                if (data is None or button.get("callback_data") == data) and (
                    label is None or button.get("text") == label
                ):
                    if "callback_data" not in button:
                        raise ControlError(
                            400, f"button {button.get('text')!r} has no callback_data"
                        )
                    return message, button["callback_data"]
        raise ControlError(400, f"no such button (callback_data={data!r}, button_text={label!r})")

    async def block(self, request: web.Request) -> Any:
        chat = self._chat(request)
        blocked = bool((await _body(request)).get("blocked", True))
        if blocked != chat.blocked:
            chat.blocked = blocked
            old, new = ("member", "kicked") if blocked else ("kicked", "member")
            bot = self.world.bot_user()
            self.queue.push(
                {
                    "my_chat_member": {
                        "chat": chat_json(chat),
                        "from": chat.user,
                        "date": now_unix(),
                        "old_chat_member": self._member(bot, old),
                        "new_chat_member": self._member(bot, new),
                    }
                }
            )
            self.world.bump(chat)
        return self._user_doc(chat)

    @staticmethod
    def _member(bot: dict[str, Any], status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"user": bot, "status": status}
        if status == "kicked":
            member["until_date"] = 0
        return member

    async def chat_doc(self, request: web.Request) -> Any:
        chat = self._chat(request)
        return {
            "user": self._user_doc(chat),
            "version": chat.version,
            "messages": [chat_message_doc(m) for m in chat.messages.values()],
            "callback_answers": chat.callback_answers,
            "chat_actions": list(chat.chat_actions),
            "reply_keyboard": chat.reply_keyboard,
        }

    # -- updates, log, faults ---------------------------------------------------------

    async def inject(self, request: web.Request) -> Any:
        update = (await _body(request)).get("update")
        if not isinstance(update, dict):
            raise ControlError(400, "give {'update': {...}}")
        injected = self.queue.inject(update)
        self.world.bump()
        return {"update": injected}

    async def call_log(self, request: web.Request) -> Any:
        calls, last = self.log.since(int(request.query.get("since", "0")))
        return {"calls": calls, "next": last}

    async def add_fault(self, request: web.Request) -> Any:
        self.faults.add(await _body(request))
        return {"ok": True, "faults": len(self.faults.faults)}

    async def clear_faults(self, request: web.Request) -> Any:
        self.faults.clear()
        return {"ok": True}

    async def rate_limits(self, request: web.Request) -> Any:
        body = await _body(request)
        unknown = body.keys() - {"enabled", "per_chat_burst", "global_per_second"}
        if unknown:
            raise ControlError(400, f"unknown rate limit settings: {sorted(unknown)}")
        current = self.limiter.settings()
        self.limiter.configure(**{**current, **body})
        return self.limiter.settings()

    # -- page support ---------------------------------------------------------------

    async def version(self, request: web.Request) -> Any:
        since = int(request.query.get("since", "0"))
        timeout = min(float(request.query.get("timeout", "25")), MAX_LONG_POLL)
        chat = None
        if "user_id" in request.query:
            chat = self.world.chats.get(int(request.query["user_id"]))
            if chat is None:
                raise ControlError(404, "no such user")
        return {"version": await self.world.wait_version(since, timeout, chat)}

    async def state(self, request: web.Request) -> Any:
        return {
            "version": self.world.version,
            "users": [self._user_doc(chat) for chat in self.world.chats.values()],
            "bot": self.world.bot_user(),
            "commands": self.botapi.default_commands(),
            "webhook": self.webhook.info(),
            "pending_updates": self.queue.pending_count,  # not yet taken by the bot
            "rate_limits": self.limiter.settings(),
            "time": time.time(),
        }

    async def reset(self, request: web.Request) -> Any:
        await self.webhook.delete()
        self.queue.clear()
        self.faults.clear()
        self.limiter.configure(enabled=False)
        self.log.clear()
        self.world.clear()
        return {"ok": True}
