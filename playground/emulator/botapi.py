"""The Bot API methods: what each Telegram method does to the emulated world.

Each handler validates like Telegram (same checks, same descriptions), then
applies its effect. Validation always comes before the effect, so a rejected
call never leaves a half-created message behind.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from playground.emulator.errors import ApiError, bad_request, forbidden
from playground.emulator.html_entities import parse_html, utf16_len
from playground.emulator.limits import RateLimiter
from playground.emulator.markup import parse_reply_markup
from playground.emulator.objects import image_size, message_json
from playground.emulator.params import Upload, get_bool, get_int, get_str
from playground.emulator.state import Chat, Message, StoredFile, World, now_unix
from playground.emulator.updates import UpdateQueue
from playground.emulator.webhook import WebhookDelivery

Params = dict[str, Any]
Uploads = dict[str, Upload]
Handler = Callable[[Params, Uploads], Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
# Telegram's limits on what the bot's profile says (setMyDescription and the others).
_PROFILE_LIMITS = {"description": 512, "short_description": 120, "name": 64}
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class BotApi:
    def __init__(
        self,
        world: World,
        queue: UpdateQueue,
        webhook: WebhookDelivery,
        limiter: RateLimiter,
        callback_answer_window: float,
    ) -> None:
        self.world = world
        self.queue = queue
        self.webhook = webhook
        self.limiter = limiter
        self.callback_answer_window = callback_answer_window
        self.methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in self._handlers().items()
        }

    def _handlers(self) -> dict[str, Handler]:
        return {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "getChat": self.get_chat,
            "setMyDescription": self._setting("description"),
            "setMyShortDescription": self._setting("short_description"),
            "setMyName": self._setting("name"),
            "getMyDescription": self._getting("description"),
            "getMyShortDescription": self._getting("short_description"),
            "getMyName": self._getting("name"),
            "close": self.always_true,
            "logOut": self.always_true,
        }

    # -- shared checks ----------------------------------------------------------

    def _admit(self, chat: Chat) -> None:
        """Last check before a message-producing effect: blocked user, flood limits."""
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        self.limiter.admit(chat.id)

    def _format(
        self, text: str, parse_mode: str | None, explicit: Any
    ) -> tuple[str, list[dict[str, Any]], str | None]:
        """Visible text, entities, and the raw HTML to keep (if parse_mode HTML)."""
        mode = (parse_mode or "").strip()
        if not mode:
            entities = explicit if isinstance(explicit, list) else []
            return text, entities, None
        if mode.lower() == "html":
            visible, entities = parse_html(text)
            return visible, entities, text
        if mode.lower() in ("markdown", "markdownv2"):
            return text, [], None  # not interpreted: the bot formats with HTML
        raise bad_request("unsupported parse_mode")

    def _text_content(self, params: Params) -> tuple[str, list[dict[str, Any]], str | None]:
        text = get_str(params, "text") or ""
        if not text.strip():
            raise bad_request("message text is empty")
        visible, entities, html = self._format(
            text, get_str(params, "parse_mode"), params.get("entities")
        )
        if not visible.strip():
            raise bad_request("message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            raise bad_request("message is too long")
        return visible, entities, html

    def _caption(self, params: Params) -> tuple[str, list[dict[str, Any]], str | None]:
        caption = get_str(params, "caption") or ""
        visible, entities, html = self._format(
            caption, get_str(params, "parse_mode"), params.get("caption_entities")
        )
        if utf16_len(visible) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return visible, entities, html

    def _reply_to(self, chat: Chat, params: Params) -> int | None:
        reply = params.get("reply_parameters")
        target, allow_missing = None, get_bool(params, "allow_sending_without_reply")
        if isinstance(reply, dict):
            target = get_int(reply, "message_id")
            allow_missing = allow_missing or get_bool(reply, "allow_sending_without_reply")
        elif reply is not None:
            raise bad_request("can't parse reply parameters JSON object")
        target = target if target is not None else get_int(params, "reply_to_message_id")
        if target is None:
            return None
        found = chat.messages.get(target)
        if found is None or found.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _apply_markup(self, chat: Chat, message: Message, markup: dict[str, Any] | None) -> None:
        """Inline keyboards belong to the message; reply keyboards to the chat."""
        if markup is None:
            return
        if "inline_keyboard" in markup:
            message.reply_markup = markup
        elif "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        elif markup.get("force_reply"):
            message.force_reply = True

    def _new_bot_message(
        self, chat: Chat, params: Params, kind: str, **fields: Any
    ) -> dict[str, Any]:
        markup = parse_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self._admit(chat)
        preview = params.get("link_preview_options")
        message = chat.add_message(
            "bot",
            kind,
            reply_to=reply_to,
            link_preview_options=preview if isinstance(preview, dict) else None,
            parse_mode=get_str(params, "parse_mode"),
            **fields,
        )
        self._apply_markup(chat, message, markup)
        self.world.bump(chat)
        return message_json(self.world, message)

    def _editable(self, params: Params) -> tuple[Chat, Message]:
        if params.get("inline_message_id"):
            raise bad_request("message to edit not found")  # inline mode is not emulated
        chat = self.world.chat_for(params.get("chat_id"))
        message = chat.messages.get(get_int(params, "message_id") or 0)
        if message is None or message.deleted or message.sender != "bot":
            raise bad_request("message to edit not found")
        return chat, message

    def _commit_edit(self, chat: Chat, message: Message, **changes: Any) -> dict[str, Any]:
        compared = (key for key in changes if key not in ("html", "parse_mode"))
        if all(getattr(message, key) == changes[key] for key in compared):
            raise bad_request(NOT_MODIFIED)
        self._admit(chat)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = now_unix()
        message.edit_count += 1
        self.world.bump(chat)
        return message_json(self.world, message)

    @staticmethod
    def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        return markup

    # -- identity and updates ---------------------------------------------------------

    async def get_me(self, params: Params, uploads: Uploads) -> Any:
        return self.world.bot_user()

    async def always_true(self, params: Params, uploads: Uploads) -> Any:
        return True

    async def get_updates(self, params: Params, uploads: Uploads) -> Any:
        limit = get_int(params, "limit") or 100
        timeout = get_int(params, "timeout") or 0
        allowed = params.get("allowed_updates")
        return await self.queue.get_updates(
            get_int(params, "offset"),
            max(1, min(limit, 100)),
            max(0, min(timeout, 60)),
            allowed if isinstance(allowed, list) else None,
        )

    async def set_webhook(self, params: Params, uploads: Uploads) -> Any:
        url = (get_str(params, "url") or "").strip()
        if get_bool(params, "drop_pending_updates"):
            self.queue.clear()
        if not url:
            await self.webhook.delete()
            return True
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = get_str(params, "secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        await self.webhook.set(
            url,
            secret,
            get_int(params, "max_connections") or 40,
            allowed if isinstance(allowed, list) else None,
        )
        return True

    async def delete_webhook(self, params: Params, uploads: Uploads) -> Any:
        if get_bool(params, "drop_pending_updates"):
            self.queue.clear()
        await self.webhook.delete()
        return True

    async def get_webhook_info(self, params: Params, uploads: Uploads) -> Any:
        return self.webhook.info()

    # -- messages ------------------------------------------------------------------

    async def send_message(self, params: Params, uploads: Uploads) -> Any:
        chat = self.world.chat_for(params.get("chat_id"))
        text, entities, html = self._text_content(params)
        return self._new_bot_message(chat, params, "text", text=text, entities=entities, html=html)

    async def send_photo(self, params: Params, uploads: Uploads) -> Any:
        return await self._send_file(params, uploads, "photo")

    async def send_document(self, params: Params, uploads: Uploads) -> Any:
        return await self._send_file(params, uploads, "document")

    async def _send_file(self, params: Params, uploads: Uploads, kind: str) -> Any:
        chat = self.world.chat_for(params.get("chat_id"))
        stored = self._resolve_file(params, uploads, kind)
        caption, entities, html = self._caption(params)
        media = self._photo_media(stored) if kind == "photo" else self._document_media(stored)
        return self._new_bot_message(
            chat,
            params,
            kind,
            text=caption,
            entities=entities,
            html=html,
            media=media,
            file_id=stored.file_id,
        )

    def _resolve_file(self, params: Params, uploads: Uploads, kind: str) -> StoredFile:
        value = params.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://") :])
        else:
            upload = uploads.get(kind)
        if upload is not None:
            width, height = image_size(upload.data) if kind == "photo" else (0, 0)
            return self.world.store_file(
                "AgACAgIAAxkDAA" if kind == "photo" else "BQACAgIAAxkDAA",
                upload.content_type or "application/octet-stream",
                file_name=upload.filename,
                data=upload.data,
                width=width,
                height=height,
            )
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value in self.world.files:
            return self.world.files[value]
        if value.startswith(("http://", "https://")):
            return self.world.store_file(
                "AgACAgIAAxkDAA", "image/jpeg", url=value, width=800, height=600
            )
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _photo_media(self, stored: StoredFile) -> dict[str, Any]:
        width, height = stored.width or 800, stored.height or 600
        scale = min(1.0, 90 / max(width, height))
        thumb = {
            "file_id": self.world.alias_file(stored),
            "file_unique_id": stored.file_unique_id + "t",
            "width": max(1, int(width * scale)),
            "height": max(1, int(height * scale)),
            "file_size": min(stored.size, 2000),
        }
        full = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": stored.size,
        }
        return {"photo": [thumb, full]}

    @staticmethod
    def _document_media(stored: StoredFile) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        return {"document": document}

    async def edit_message_text(self, params: Params, uploads: Uploads) -> Any:
        chat, message = self._editable(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, entities, html = self._text_content(params)
        # Telegram drops the inline keyboard when an edit does not repeat it.
        markup = self._inline_only(parse_reply_markup(params.get("reply_markup")))
        return self._commit_edit(
            chat,
            message,
            text=text,
            entities=entities,
            html=html,
            parse_mode=get_str(params, "parse_mode"),
            reply_markup=markup,
        )

    async def edit_message_caption(self, params: Params, uploads: Uploads) -> Any:
        chat, message = self._editable(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption, entities, html = self._caption(params)
        markup = self._inline_only(parse_reply_markup(params.get("reply_markup")))
        return self._commit_edit(
            chat, message, text=caption, entities=entities, html=html, reply_markup=markup
        )

    async def edit_message_reply_markup(self, params: Params, uploads: Uploads) -> Any:
        chat, message = self._editable(params)
        markup = self._inline_only(parse_reply_markup(params.get("reply_markup")))
        return self._commit_edit(chat, message, reply_markup=markup)

    async def delete_message(self, params: Params, uploads: Uploads) -> Any:
        chat = self.world.chat_for(params.get("chat_id"))
        message = chat.messages.get(get_int(params, "message_id") or 0)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        self.world.bump(chat)
        return True

    async def delete_messages(self, params: Params, uploads: Uploads) -> Any:
        """Like deleteMessage for 1-100 ids at once; ids not found are skipped."""
        chat = self.world.chat_for(params.get("chat_id"))
        ids = params.get("message_ids")
        if isinstance(ids, str):
            try:
                ids = json.loads(ids)
            except ValueError:
                raise bad_request("can't parse message identifiers JSON object") from None
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message identifiers are not specified")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise bad_request("message identifiers must be integers")
        for message_id in ids:
            message = chat.messages.get(message_id)
            if message is not None:
                message.deleted = True
        self.world.bump(chat)
        return True

    async def answer_callback_query(self, params: Params, uploads: Uploads) -> Any:
        query_id = get_str(params, "callback_query_id") or ""
        record = self.world.callbacks.get(query_id)
        too_old = (
            record is not None and time.monotonic() - record.created > self.callback_answer_window
        )
        if record is None or record.answered or too_old:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        record.answered = True
        chat = self.world.chats.get(record.chat_id)
        if chat is not None:
            chat.callback_answers.append(
                {
                    "callback_query_id": query_id,
                    "text": get_str(params, "text"),
                    "show_alert": get_bool(params, "show_alert"),
                    "url": get_str(params, "url"),
                    "answered_at": time.time(),
                }
            )
            self.world.bump(chat)
        return True

    async def send_chat_action(self, params: Params, uploads: Uploads) -> Any:
        chat = self.world.chat_for(params.get("chat_id"))
        action = get_str(params, "action") or ""
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        chat.chat_actions.append({"action": action, "at": time.time()})
        self.world.bump(chat)
        return True

    async def get_chat(self, params: Params, uploads: Uploads) -> Any:
        chat = self.world.chat_for(params.get("chat_id"))
        user = chat.user
        result = {"id": chat.id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            result["username"] = user["username"]
        return {**result, "accent_color_id": 0, "max_reaction_count": 11}

    # -- commands and settings ---------------------------------------------------------

    @staticmethod
    def _scope_key(params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), get_str(params, "language_code") or ""

    async def set_my_commands(self, params: Params, uploads: Uploads) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        cleaned = [self._command(item) for item in commands]
        key = self._scope_key(params)
        if cleaned:
            self.world.commands[key] = cleaned
        else:
            self.world.commands.pop(key, None)
        self.world.bump()
        return True

    @staticmethod
    def _command(item: Any) -> dict[str, str]:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        return {"command": command, "description": description}

    async def get_my_commands(self, params: Params, uploads: Uploads) -> Any:
        return self.world.commands.get(self._scope_key(params), [])

    async def delete_my_commands(self, params: Params, uploads: Uploads) -> Any:
        self.world.commands.pop(self._scope_key(params), None)
        self.world.bump()
        return True

    def default_commands(self) -> list[dict[str, str]]:
        """The menu a private chat shows: its own scope's, else the default one (as Telegram)."""
        for scope in ({"type": "all_private_chats"}, {"type": "default"}):
            found = self.world.commands.get((json.dumps(scope, sort_keys=True), ""))
            if found:
                return found
        return []

    async def set_chat_menu_button(self, params: Params, uploads: Uploads) -> Any:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button JSON object")
        chat_id = get_int(params, "chat_id")
        if chat_id is not None:
            self.world.chat_for(chat_id)
        self.world.bot_settings[f"menu_button:{chat_id or ''}"] = button
        return True

    async def get_chat_menu_button(self, params: Params, uploads: Uploads) -> Any:
        chat_id = get_int(params, "chat_id")
        settings = self.world.bot_settings
        return (
            settings.get(f"menu_button:{chat_id or ''}")
            or settings.get("menu_button:")
            or {"type": "default"}
        )

    def _setting(self, name: str) -> Handler:
        async def handler(params: Params, uploads: Uploads) -> Any:
            language = get_str(params, "language_code") or ""
            value = get_str(params, name) or ""
            if len(value) > _PROFILE_LIMITS[name]:
                raise bad_request(f"{name} is too long")
            self.world.bot_settings[f"{name}:{language}"] = value
            return True

        return handler

    def _getting(self, name: str) -> Handler:
        async def handler(params: Params, uploads: Uploads) -> Any:
            language = get_str(params, "language_code") or ""
            return {name: self.world.bot_settings.get(f"{name}:{language}", "")}

        return handler


def check_handler_error(exc: Exception) -> ApiError:
    """Unexpected handler crashes become a 500 like Telegram's internal errors."""
    if isinstance(exc, ApiError):
        return exc
    return ApiError(500, f"Internal Server Error: {exc.__class__.__name__}: {exc}")
