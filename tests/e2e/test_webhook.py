"""Webhook mode end to end: the emulator pushes updates with the secret header, and
whatever else reaches the port (no secret, wrong type, too big, not JSON, not an
update, twice the same) is refused or recognised without a crash or a stored row."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from sqlalchemy import text

from bot.runtime import Runtime
from bot.telegram.webhook import MAX_BODY, SECRET_HEADER
from playground.client import SimUser
from tests.e2e.harness import answer, expect, say, words

SECRET = "s3cret-for-tests-only_0123456789"
JSON = "application/json"


@dataclass
class Served:
    runtime: Runtime
    url: str
    port: int


@pytest.fixture
async def served(settings) -> AsyncIterator[Served]:
    """The bot behind its webhook server, registered with the emulator."""
    runtime = Runtime(settings)
    await runtime.start()
    server = runtime.webhook_server(SECRET)
    await server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.port}/telegram/webhook"
    try:
        await server.register(url)
        yield Served(runtime, url, server.port)
    finally:
        await server.stop()
        await runtime.stop()


def message_update(user: SimUser, update_id: int, text_: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text_,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text_)}],
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        },
    }


async def post(url: str, body: bytes, secret: str | None = SECRET, content_type: str = JSON) -> int:
    headers = {"Content-Type": content_type}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers=headers) as response,
    ):
        return response.status


async def inbox_rows(runtime: Runtime) -> int:
    async with runtime.db.engine.connect() as connection:
        return (await connection.execute(text("SELECT count(*) FROM inbox"))).scalar_one()


async def test_webhook_serves_onboarding_and_answers_health(served, emu):
    sam = await emu.create_user("Sam")
    await say(sam, "/start", "onboarding.welcome")
    await answer(sam, "onboarding.begin", "onboarding.consent")
    assert (await emu.state())["webhook"]["url"] == served.url
    health_url = f"http://127.0.0.1:{served.port}/healthz"
    async with aiohttp.ClientSession() as http, http.get(health_url) as health:
        assert health.status == 200 and (await health.json())["ok"] is True


def bad_requests(user: SimUser) -> list[tuple[str, int, dict]]:
    """(what, expected status, how to post it); each would reach the user if it got in."""
    good = message_update(user, 77, "/sos")
    message = good["message"]

    def with_message(**changes) -> bytes:
        return json.dumps({"update_id": 78, "message": {**message, **changes}}).encode()

    body = json.dumps(good).encode()
    return [
        ("no secret", 403, {"body": body, "secret": None}),
        ("a wrong secret", 403, {"body": body, "secret": "wrong"}),
        ("the secret but one character", 403, {"body": body, "secret": SECRET[:-1]}),
        ("plain text", 415, {"body": body, "content_type": "text/plain"}),
        ("a form", 415, {"body": body, "content_type": "application/x-www-form-urlencoded"}),
        ("too large", 413, {"body": body + b" " * MAX_BODY}),
        ("not JSON", 400, {"body": b"not json"}),
        ("cut-off JSON", 400, {"body": body[:-5]}),
        ("not UTF-8", 400, {"body": b'{"update_id": 79, "x": "\xff\xfe"}'}),
        ("nested past any parser", 400, {"body": b"[" * 200_000 + b"]" * 200_000}),
        ("a list", 400, {"body": json.dumps([good]).encode()}),
        ("a string", 400, {"body": b'"update"'}),
        ("a number", 400, {"body": b"77"}),
        ("null", 400, {"body": b"null"}),
        ("an empty object", 400, {"body": b"{}"}),
        ("no update_id", 400, {"body": json.dumps({"message": message}).encode()}),
        ("update_id a string", 400, {"body": json.dumps({**good, "update_id": "77"}).encode()}),
        ("update_id true", 400, {"body": json.dumps({**good, "update_id": True}).encode()}),
        ("update_id a fraction", 400, {"body": json.dumps({**good, "update_id": 7.5}).encode()}),
        ("update_id past BIGINT", 400, {"body": json.dumps({**good, "update_id": 2**70}).encode()}),
        (
            "message a string",
            400,
            {"body": json.dumps({"update_id": 78, "message": "hi"}).encode()},
        ),
        (
            "message without a chat",
            400,
            {
                "body": json.dumps(
                    {"update_id": 78, "message": {k: v for k, v in message.items() if k != "chat"}}
                ).encode()
            },
        ),
        ("text a number", 400, {"body": with_message(text=42)}),
        (
            "a sender id in words",
            400,
            {"body": with_message(**{"from": {"id": "sam", "is_bot": False, "first_name": "Sam"}})},
        ),
        (
            "callback data an object",
            400,
            {
                "body": json.dumps(
                    {
                        "update_id": 80,
                        "callback_query": {
                            "id": "1",
                            "chat_instance": "1",
                            "data": {"x": 1},
                            "from": message["from"],
                        },
                    }
                ).encode()
            },
        ),
    ]


async def test_every_bad_request_is_refused_and_stores_nothing_then_a_good_one_works(served, emu):
    sam = await emu.create_user("Sam")
    await say(sam, "/start", "onboarding.welcome")
    stored = await inbox_rows(served.runtime)
    before = len(await sam.bot_messages())

    statuses = {what: await post(served.url, **request) for what, _, request in bad_requests(sam)}
    assert statuses == {what: status for what, status, _ in bad_requests(sam)}
    assert await inbox_rows(served.runtime) == stored
    assert len(await sam.bot_messages()) == before

    good = json.dumps(message_update(sam, 10_000, "/help")).encode()
    assert await post(served.url, good, content_type="application/json; charset=utf-8") == 200
    await expect(sam, "help")
    await say(sam, "/privacy", "privacy")  # and the emulator's own deliveries still go through


async def raw_post(port: int, head: list[str], body: bytes) -> int:
    """The status line of an answer to a request written by hand, body and all at once."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [
            "POST /telegram/webhook HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            f"Content-Type: {JSON}",
            *head,
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        with contextlib.suppress(ConnectionError):  # the server may stop listening early
            await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 30)
        return int(status_line.split()[1])
    finally:
        writer.close()


async def test_an_oversized_body_is_refused_without_waiting_for_all_of_it(served, emu):
    sam = await emu.create_user("Sam")
    await say(sam, "/start", "onboarding.welcome")
    stored = await inbox_rows(served.runtime)
    claimed = f"Content-Length: {50 * MAX_BODY}"
    # Only a kilobyte of the claimed 50 MiB is ever sent: an answer proves nobody waits for it.
    assert await raw_post(served.port, [claimed, f"{SECRET_HEADER}: {SECRET}"], b"{" * 1024) == 413
    assert await raw_post(served.port, [claimed], b"{" * 1024) == 403
    # Streamed without a length, and never finished: refused once past the limit.
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * 64 * 1024)
    over = chunk * (MAX_BODY // (64 * 1024) + 2)
    assert (
        await raw_post(
            served.port, ["Transfer-Encoding: chunked", f"{SECRET_HEADER}: {SECRET}"], over
        )
        == 413
    )
    assert await inbox_rows(served.runtime) == stored
    await say(sam, "/help", "help")


async def test_an_update_delivered_twice_by_webhook_is_handled_once(served, emu):
    sam = await emu.create_user("Sam")
    await say(sam, "/start", "onboarding.welcome")
    twice = json.dumps(message_update(sam, 20_000, "/help")).encode()
    assert await asyncio.gather(post(served.url, twice), post(served.url, twice)) == [200, 200]
    assert await post(served.url, twice) == 200  # and once more after a "lost" answer
    await expect(sam, "help")
    await say(sam, "/privacy", "privacy")  # later input is answered, so the repeats were seen
    helps = [m for m in await sam.bot_messages() if words("help") in m["text"]]
    assert len(helps) == 1
