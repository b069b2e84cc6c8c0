"""Async Python client for the emulator's control API, for tests and benchmarks.

It plays the human side of the conversation (SimUser: type, press, block)
and waits for the bot's reaction through the emulator's per-chat version
long-poll, never by sleeping. A wait that times out raises AssertionError
carrying the chat transcript, so a failing end-to-end test explains itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any

import aiohttp

LONG_POLL_SLICE = 25.0
TRANSCRIPT_LINES = 10


class EmulatorError(RuntimeError):
    """The control API refused a request (4xx) — a mistake in the test, usually."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class EmulatorClient:
    """``async with EmulatorClient(root) as emu:`` — root like ``http://127.0.0.1:PORT``."""

    def __init__(self, root: str, session: aiohttp.ClientSession | None = None) -> None:
        self.root = root.rstrip("/")
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            # Long-polls last up to LONG_POLL_SLICE; the total timeout must exceed it.
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90))
            self._owns_session = True
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        """One control-API call; raises EmulatorError on a 4xx/5xx answer."""
        async with self._http().request(
            method, self.root + path, json=body, params=query
        ) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                message = data.get("error") if isinstance(data, dict) else data
                raise EmulatorError(response.status, str(message))
            return data

    # -- users and world -----------------------------------------------------------

    async def create_user(
        self,
        first_name: str,
        username: str | None = None,
        language_code: str = "en",
        *,
        user_id: int | None = None,
    ) -> SimUser:
        body: dict[str, Any] = {"first_name": first_name, "language_code": language_code}
        if username is not None:
            body["username"] = username
        if user_id is not None:
            body["id"] = user_id
        return SimUser(self, await self.request("POST", "/_emu/users", body))

    async def users(self) -> list[SimUser]:
        return [SimUser(self, data) for data in await self.request("GET", "/_emu/users")]

    async def state(self) -> dict[str, Any]:
        return await self.request("GET", "/_emu/state")

    async def inject_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (keeps its update_id if given); returns it as queued."""
        return (await self.request("POST", "/_emu/updates", {"update": update}))["update"]

    async def log(self, since: int = 0) -> list[dict[str, Any]]:
        """Bot API calls with seq > since (see log_page for the cursor)."""
        return (await self.log_page(since))["calls"]

    async def log_page(self, since: int = 0) -> dict[str, Any]:
        return await self.request("GET", "/_emu/log", query={"since": since})

    async def set_faults(self, **spec: Any) -> None:
        """e.g. ``set_faults(status=502, count=3)`` or ``set_faults(stall_seconds=5)``."""
        await self.request("POST", "/_emu/faults", spec)

    async def clear_faults(self) -> None:
        await self.request("DELETE", "/_emu/faults")

    async def set_rate_limits(self, enabled: bool, **limits: int) -> None:
        """``per_chat_burst`` (default 3) and ``global_per_second`` (default 30)."""
        await self.request("POST", "/_emu/rate_limits", {"enabled": enabled, **limits})

    async def reset(self) -> None:
        await self.request("POST", "/_emu/reset")

    async def wait_version(
        self, since: int, timeout: float = LONG_POLL_SLICE, user_id: int | None = None
    ) -> int:
        """Long-poll until the (user's chat) version exceeds `since` or timeout passes."""
        query: dict[str, Any] = {"since": since, "timeout": timeout}
        if user_id is not None:
            query["user_id"] = user_id
        return int((await self.request("GET", "/_emu/version", query=query))["version"])


class SimUser:
    """A simulated Telegram user talking to the bot in a private chat."""

    def __init__(self, client: EmulatorClient, data: dict[str, Any]) -> None:
        self.client = client
        self.data = data
        self.id: int = data["id"]
        self.first_name: str = data["first_name"]
        self.username: str | None = data.get("username")
        self.language_code: str = data.get("language_code", "en")

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    async def _post(self, action: str, body: dict[str, Any]) -> Any:
        return await self.client.request("POST", f"/_emu/users/{self.id}/{action}", body)

    # -- acting ---------------------------------------------------------------------

    async def set_language(self, language_code: str) -> None:
        """Switch the Telegram app's language, as a person does in its settings."""
        self.data = await self._post("language", {"language_code": language_code})
        self.language_code = language_code

    async def send(self, text: str) -> dict[str, Any]:
        """Send a text message; returns the Telegram Message object."""
        return (await self._post("messages", {"text": text}))["message"]

    async def send_sticker(self) -> dict[str, Any]:
        return (await self._post("messages", {"sticker": True}))["message"]

    async def send_photo(self, caption: str = "") -> dict[str, Any]:
        return (await self._post("messages", {"photo": True, "caption": caption}))["message"]

    async def send_voice(self) -> dict[str, Any]:
        return (await self._post("messages", {"voice": True}))["message"]

    async def send_document(self) -> dict[str, Any]:
        return (await self._post("messages", {"document": True}))["message"]

    async def send_contact(self) -> dict[str, Any]:
        return (await self._post("messages", {"contact": True}))["message"]

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        body = {"location": {"latitude": latitude, "longitude": longitude}}
        return (await self._post("messages", body))["message"]

    async def edit(self, message_id: int, text: str) -> dict[str, Any]:
        return (await self._post("edits", {"message_id": message_id, "text": text}))["message"]

    async def press(
        self,
        button_text: str | None = None,
        *,
        callback_data: str | None = None,
        message_id: int | None = None,
        forge: bool = False,
    ) -> str:
        """Press an inline button (by label and/or data); returns the callback_query_id."""
        body: dict[str, Any] = {"forge": forge}
        if button_text is not None:
            body["button_text"] = button_text
        if callback_data is not None:
            body["callback_data"] = callback_data
        if message_id is not None:
            body["message_id"] = message_id
        return (await self._post("presses", body))["callback_query_id"]

    async def block(self) -> None:
        await self._post("block", {"blocked": True})

    async def unblock(self) -> None:
        await self._post("block", {"blocked": False})

    # -- observing --------------------------------------------------------------------

    async def chat(self) -> dict[str, Any]:
        return await self.client.request("GET", f"/_emu/users/{self.id}/chat")

    async def bot_messages(self) -> list[dict[str, Any]]:
        return _bot_messages(await self.chat())

    async def last_bot_message(self) -> dict[str, Any]:
        document = await self.chat()
        messages = _bot_messages(document)
        if not messages:
            raise AssertionError(f"{self} has no bot messages\n{transcript(document)}")
        return messages[-1]

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[str]:
        """Labels of the message's inline buttons, row-major."""
        markup = message.get("reply_markup") or {}
        return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]

    async def wait_for(
        self,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float = 10.0,
        description: str = "condition",
    ) -> dict[str, Any]:
        """Wait until predicate(chat document) holds; returns that document."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            document = await self.chat()
            if predicate(document):
                return document
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"{self}: {description} not met within {timeout:g}s\n{transcript(document)}"
                )
            await self.client.wait_version(
                document["version"], min(remaining, LONG_POLL_SLICE), self.id
            )

    async def wait_for_bot_messages(
        self, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the chat holds at least `count` bot messages; returns them all."""
        document = await self.wait_for(
            lambda doc: len(_bot_messages(doc)) >= count,
            timeout,
            f"at least {count} bot message(s)",
        )
        return _bot_messages(document)

    async def wait_for_text(
        self, substring: str, timeout: float = 10.0, *, after: int = 0
    ) -> dict[str, Any]:
        """Wait for a bot message (new or edited) whose visible text contains substring.

        Case-insensitive. ``after`` restricts the search to message_id > after,
        e.g. the id of the user's own message that triggered the reply.
        """
        needle = substring.lower()

        def find(doc: dict[str, Any]) -> dict[str, Any] | None:
            for message in reversed(_bot_messages(doc)):
                if message["message_id"] > after and needle in (message["text"] or "").lower():
                    return message
            return None

        document = await self.wait_for(
            lambda doc: find(doc) is not None, timeout, f"bot text containing {substring!r}"
        )
        found = find(document)
        assert found is not None
        return found


def _bot_messages(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in document["messages"] if m["sender"] == "bot" and not m["deleted"]]


def transcript(document: dict[str, Any], lines: int = TRANSCRIPT_LINES) -> str:
    """A readable tail of the chat for assertion messages."""
    rows = []
    for message in document["messages"][-lines:]:
        flags = "".join(
            f" {flag}"
            for flag, on in (("edited", message["edit_count"]), ("deleted", message["deleted"]))
            if on
        )
        body = message["text"] or f"<{message['kind']}>"
        labels = SimUser.buttons(message)
        buttons = f"  [{'] ['.join(labels)}]" if labels else ""
        rows.append(f"  #{message['message_id']} {message['sender']}{flags}: {body}{buttons}")
    answers = document.get("callback_answers") or []
    if answers:
        rows.append(f"  (last callback answer: {answers[-1].get('text')!r})")
    return "chat transcript (last messages):\n" + ("\n".join(rows) if rows else "  (empty)")
