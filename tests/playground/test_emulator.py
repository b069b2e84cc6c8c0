"""Tests of the Telegram emulator itself: wire format, errors, control API, client.

The PTB test at the end proves that the real python-telegram-bot library
accepts the emulator as Telegram (form/multipart encoding, error mapping).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from aiohttp import web

from playground.client import EmulatorClient, EmulatorError, SimUser
from playground.emulator import Emulator
from playground.emulator.html_entities import parse_html, utf16_len

if TYPE_CHECKING:  # conftest is not importable at runtime (no tests/__init__.py)
    from conftest import BotApiCaller

pytestmark = pytest.mark.asyncio

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Yes", "callback_data": "y"}, {"text": "No", "callback_data": "n"}]
    ]
}


# -- identity and wire format -------------------------------------------------------


async def test_get_me_and_token_check(emulator: Emulator, api: BotApiCaller) -> None:
    me = await api.ok("getMe")
    assert me == {
        "id": 123456,
        "is_bot": True,
        "first_name": "Kintsugi",
        "username": "kintsugi_playground_bot",
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }
    bad = api.with_token("123:short")
    status, body = await bad("getMe")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    assert await api.error("noSuchMethod") == (404, "Not Found")


async def test_method_names_case_insensitive_and_query_and_form(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    user = await emu.create_user("Sam")
    base = api.base
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/GETME") as response:
            assert (await response.json())["ok"]
        async with session.get(
            f"{base}/sendmessage", params={"chat_id": user.id, "text": "q"}
        ) as r:
            assert (await r.json())["result"]["text"] == "q"
        form = {"chat_id": str(user.id), "text": "f", "reply_markup": json.dumps(KEYBOARD)}
        async with session.post(f"{base}/sendMessage", data=form) as r:
            result = (await r.json())["result"]
    assert result["reply_markup"] == KEYBOARD
    assert result["chat"] == {"id": user.id, "type": "private", "first_name": "Sam"}
    assert [m["message_id"] for m in await user.bot_messages()] == [1, 2]


# -- users and updates ------------------------------------------------------------------


async def test_user_message_creates_update_with_command_entity(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam", "sam")
    alex = await emu.create_user("Alex")
    assert (sam.id, alex.id) == (100001, 100002)
    message = await sam.send("/start abc")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["chat"] == {
        "id": sam.id,
        "type": "private",
        "first_name": "Sam",
        "username": "sam",
    }
    assert message["from"]["id"] == sam.id and message["from"]["is_bot"] is False
    await alex.send_sticker()
    updates = await api.ok("getUpdates")
    assert [u["update_id"] for u in updates] == [1, 2]
    assert updates[1]["message"]["sticker"]["emoji"]
    # Offset confirms: updates below it are gone for good.
    assert [u["update_id"] for u in await api.ok("getUpdates", offset=2)] == [2]
    assert await api.ok("getUpdates", offset=3) == []
    assert await api.ok("getUpdates") == []


async def test_get_updates_long_poll_is_woken(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    started = time.monotonic()
    poll = asyncio.create_task(api.ok("getUpdates", timeout=10))
    await asyncio.sleep(0.1)
    await sam.send("hello")
    updates = await poll
    assert updates[0]["message"]["text"] == "hello"
    assert time.monotonic() - started < 2


async def test_second_poller_terminates_first(emu: EmulatorClient, api: BotApiCaller) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(api.ok("getUpdates", timeout=1))
    status, body = await first
    assert status == 409 and "terminated by other getUpdates" in body["description"]
    assert await second == []


async def test_allowed_updates_and_media_kinds(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    for send in (sam.send_photo, sam.send_voice, sam.send_document, sam.send_contact):
        await send()
    location = await sam.send_location(52.52, 13.40)
    assert location["location"] == {"latitude": 52.52, "longitude": 13.40}
    updates = await api.ok("getUpdates", allowed_updates=["callback_query"])
    assert updates == []  # message updates were not allowed, so dropped
    await sam.send("x")
    assert await api.ok("getUpdates", allowed_updates=[]) != []


async def test_user_edit_and_inject_duplicates(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    sent = await sam.send("hello")
    edited = await sam.edit(sent["message_id"], "hello again")
    assert edited["edit_date"] >= sent["date"]
    updates = await api.ok("getUpdates")
    assert updates[1]["edited_message"]["text"] == "hello again"
    await api.ok("getUpdates", offset=updates[-1]["update_id"] + 1)
    raw = dict(updates[0])
    await emu.inject_update(raw)
    await emu.inject_update(raw)
    again = await api.ok("getUpdates", offset=updates[-1]["update_id"] + 1)
    assert [u["update_id"] for u in again] == [raw["update_id"]] * 2
    fresh = await emu.inject_update({"message": raw["message"]})
    assert fresh["update_id"] == updates[-1]["update_id"] + 1


# -- sending and formatting --------------------------------------------------------------


async def test_send_message_errors(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    assert await api.error("sendMessage", chat_id=999, text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert await api.error("sendMessage", chat_id=sam.id, text="") == (
        400,
        "Bad Request: message text is empty",
    )
    assert await api.error("sendMessage", chat_id=sam.id, text="a" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    # 4096 visible characters are fine even with markup around them...
    await api.ok("sendMessage", chat_id=sam.id, text=f"<b>{'a' * 4096}</b>", parse_mode="HTML")
    # ...but an emoji counts as two UTF-16 code units.
    assert (await api.error("sendMessage", chat_id=sam.id, text="😀" * 2049))[1].endswith(
        "too long"
    )
    assert len(await sam.bot_messages()) == 1


@pytest.mark.parametrize(
    "markup",
    [
        "<foo>x</foo>",
        "<b>x",
        "<b><i>x</b></i>",
        "a &foo; b",
        "Tom & Jerry",
        "1 < 2",
        "</b>",
        '<span class="x">s</span>',
    ],
)
async def test_bad_html_is_rejected(emu: EmulatorClient, api: BotApiCaller, markup: str) -> None:
    sam = await emu.create_user("Sam")
    status, description = await api.error(
        "sendMessage", chat_id=sam.id, text=markup, parse_mode="HTML"
    )
    assert status == 400 and description.startswith("Bad Request: can't parse entities: ")
    assert await sam.bot_messages() == []


async def test_html_entities_parsed_like_telegram() -> None:
    text, entities = parse_html(
        '<b>Hi</b> &lt;you&gt; &amp; 😀 <a href="https://x.org/?a=1&amp;b=2">link</a> 2 > 1 '
        '<pre><code class="language-python">x</code></pre><blockquote expandable>q</blockquote>'
        "<tg-spoiler>s</tg-spoiler>&#128512;"
    )
    assert text == "Hi <you> & 😀 link 2 > 1 xqs😀"
    assert {"type": "bold", "offset": 0, "length": 2} in entities
    link = next(e for e in entities if e["type"] == "text_link")
    assert link == {"type": "text_link", "url": "https://x.org/?a=1&b=2", "offset": 14, "length": 4}
    assert {"type": "pre", "language": "python", "offset": 25, "length": 1} in entities
    assert {"type": "expandable_blockquote", "offset": 26, "length": 1} in entities
    assert {"type": "spoiler", "offset": 27, "length": 1} in entities
    assert utf16_len(text) == 30


async def test_chat_document_shows_visible_text_and_html(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    await api.ok(
        "sendMessage", chat_id=sam.id, text="<b>Hello</b> &amp; welcome", parse_mode="HTML"
    )
    message = await sam.last_bot_message()
    assert message["text"] == "Hello & welcome"
    assert message["html"] == "<b>Hello</b> &amp; welcome"
    assert message["parse_mode"] == "HTML" and message["kind"] == "text"


async def test_keyboard_validation(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    too_long = {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 33}]]}
    empty = {"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}
    for markup in (too_long, empty):
        assert await api.error("sendMessage", chat_id=sam.id, text="t", reply_markup=markup) == (
            400,
            "Bad Request: BUTTON_DATA_INVALID",
        )
    flat = {"inline_keyboard": [{"text": "x", "callback_data": "y"}]}
    assert await api.error("sendMessage", chat_id=sam.id, text="t", reply_markup=flat) == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )
    ok = {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 32}]]}
    await api.ok("sendMessage", chat_id=sam.id, text="t", reply_markup=ok)


async def test_reply_keyboard_and_removal(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    keyboard = {
        "keyboard": [[{"text": "Share my location", "request_location": True}], ["Skip"]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    sent = await api.ok("sendMessage", chat_id=sam.id, text="Where?", reply_markup=keyboard)
    assert "reply_markup" not in sent  # Telegram only echoes inline keyboards
    chat = await sam.chat()
    assert chat["reply_keyboard"]["keyboard"][1] == [{"text": "Skip"}]
    await sam.send_location(40.7, -74.0)
    assert (await sam.chat())["reply_keyboard"] is None  # one-time keyboard hidden after use
    await api.ok("sendMessage", chat_id=sam.id, text="again", reply_markup=keyboard)
    await api.ok("sendMessage", chat_id=sam.id, text="bye", reply_markup={"remove_keyboard": True})
    assert (await sam.chat())["reply_keyboard"] is None


# -- edits, deletes, callbacks --------------------------------------------------------------


async def test_edit_semantics(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    user_msg = await sam.send("hi")
    sent = await api.ok("sendMessage", chat_id=sam.id, text="Pick", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    not_found = (400, "Bad Request: message to edit not found")
    assert await api.error("editMessageText", chat_id=sam.id, message_id=99, text="x") == not_found
    assert (
        await api.error(
            "editMessageText", chat_id=sam.id, message_id=user_msg["message_id"], text="x"
        )
        == not_found
    )
    status, description = await api.error(
        "editMessageText", chat_id=sam.id, message_id=mid, text="Pick", reply_markup=KEYBOARD
    )
    assert status == 400 and description.startswith(
        "Bad Request: message is not modified: specified"
    )
    edited = await api.ok("editMessageText", chat_id=sam.id, message_id=mid, text="Picked")
    assert "reply_markup" not in edited and edited["edit_date"] >= sent["date"]
    again = await api.ok(
        "editMessageReplyMarkup", chat_id=sam.id, message_id=mid, reply_markup=KEYBOARD
    )
    assert again["reply_markup"] == KEYBOARD
    message = await sam.last_bot_message()
    assert message["edit_count"] == 2 and message["text"] == "Picked"
    assert await api.ok("deleteMessage", chat_id=sam.id, message_id=mid) is True
    assert await sam.bot_messages() == []
    assert await api.error("editMessageText", chat_id=sam.id, message_id=mid, text="y") == not_found


async def test_delete_messages_removes_many_and_skips_unknown_ids(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    theirs = await sam.send("please forget this")
    ours = [(await api.ok("sendMessage", chat_id=sam.id, text=t))["message_id"] for t in "abc"]
    ids = [ours[0], theirs["message_id"], 999_999]
    assert await api.ok("deleteMessages", chat_id=sam.id, message_ids=ids) is True
    as_form = aiohttp.FormData({"chat_id": str(sam.id), "message_ids": json.dumps([ours[1]])})
    async with api.session.post(f"{api.base}/deleteMessages", data=as_form) as response:
        assert (await response.json())["result"] is True
    document = await sam.chat()
    assert [m["text"] for m in document["messages"] if not m["deleted"]] == ["c"]
    for wrong in ([], list(range(1, 102)), ["x"], "not json"):
        status, _ = await api.error("deleteMessages", chat_id=sam.id, message_ids=wrong)
        assert status == 400


async def test_press_and_answer_callback(
    emulator: Emulator, emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    sent = await api.ok("sendMessage", chat_id=sam.id, text="Pick", reply_markup=KEYBOARD)
    query_id = await sam.press("No")
    update = (await api.ok("getUpdates"))[-1]
    query = update["callback_query"]
    assert query["id"] == query_id and query["data"] == "n"
    assert query["message"]["message_id"] == sent["message_id"] and query["chat_instance"]
    assert await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Noted") is True
    too_old = (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    assert await api.error("answerCallbackQuery", callback_query_id=query_id) == too_old
    assert await api.error("answerCallbackQuery", callback_query_id="nope") == too_old
    late = await sam.press(callback_data="y", message_id=sent["message_id"])
    await asyncio.sleep(0.6)  # the fixture's answer window is 0.5 s
    assert await api.error("answerCallbackQuery", callback_query_id=late) == too_old
    answers = (await sam.chat())["callback_answers"]
    assert [(a["callback_query_id"], a["text"]) for a in answers] == [(query_id, "Noted")]
    with pytest.raises(EmulatorError):
        await sam.press("Maybe")
    forged = await sam.press(callback_data="admin:drop_all", forge=True)
    assert (await api.ok("getUpdates"))[-1]["callback_query"]["id"] == forged


async def test_blocked_user(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    sent = await api.ok("sendMessage", chat_id=sam.id, text="hi")
    await sam.block()
    forbidden = (403, "Forbidden: bot was blocked by the user")
    assert await api.error("sendMessage", chat_id=sam.id, text="x") == forbidden
    assert await api.error("sendChatAction", chat_id=sam.id, action="typing") == forbidden
    assert (
        await api.error("editMessageText", chat_id=sam.id, message_id=sent["message_id"], text="y")
        == forbidden
    )
    await sam.unblock()
    updates = await api.ok("getUpdates")
    statuses = [u["my_chat_member"]["new_chat_member"]["status"] for u in updates]
    assert statuses == ["kicked", "member"]
    await api.ok("sendMessage", chat_id=sam.id, text="welcome back")


async def test_photo_upload_served_and_resent(
    emulator: Emulator, emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(sam.id))
    form.add_field("caption", "<i>look</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field("photo", PNG_1x1, filename="dot.png", content_type="image/png")
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base}/sendPhoto", data=form) as response:
            result = (await response.json())["result"]
        assert result["caption"] == "look" and result["photo"][-1]["width"] == 1
        message = await sam.last_bot_message()
        async with session.get(emulator.url + message["file_url"]) as response:
            assert await response.read() == PNG_1x1
        file_id = result["photo"][-1]["file_id"]
        url = f"{api.base}/sendPhoto"
        async with session.post(url, data={"chat_id": sam.id, "photo": file_id}) as response:
            assert (await response.json())["result"]["photo"][-1]["file_id"] == file_id
        async with session.post(url, data={"chat_id": sam.id, "photo": "bogus"}) as response:
            assert response.status == 400


# -- commands and webhook ----------------------------------------------------------------------


async def test_commands_per_scope(emu: EmulatorClient, api: BotApiCaller) -> None:
    commands = [{"command": "start", "description": "Begin"}]
    assert await api.ok("setMyCommands", commands=commands) is True
    de = [{"command": "start", "description": "Los"}]
    await api.ok("setMyCommands", commands=de, language_code="de")
    assert await api.ok("getMyCommands") == commands
    assert await api.ok("getMyCommands", language_code="de") == de
    assert (await emu.state())["commands"] == commands
    bad = [{"command": "Bad Command", "description": "x"}]
    assert await api.error("setMyCommands", commands=bad) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    await api.ok("deleteMyCommands")
    assert await api.ok("getMyCommands") == []
    assert await api.ok("setChatMenuButton", menu_button={"type": "commands"}) is True


async def test_webhook_delivery_with_retries(emu: EmulatorClient, api: BotApiCaller) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    failures = [2]

    async def hook(request: web.Request) -> web.Response:
        if failures[0]:
            failures[0] -= 1
            return web.Response(status=500)
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        sam = await emu.create_user("Sam")
        await sam.send("one")
        await api.ok("setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        status, description = await api.error("getUpdates")
        assert status == 409 and description.startswith("Conflict: can't use getUpdates")
        await sam.send("two")
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.05)
        assert [(s, u["message"]["text"]) for s, u in received] == [
            ("s3cret", "one"),
            ("s3cret", "two"),
        ]
        info = await api.ok("getWebhookInfo")
        assert info["pending_update_count"] == 0 and "500" in info["last_error_message"]
        await api.ok("deleteWebhook")
        await sam.send("three")
        assert (await api.ok("getUpdates"))[0]["message"]["text"] == "three"
    finally:
        await runner.cleanup()


# -- faults, rate limits, log ----------------------------------------------------------------------


async def test_faults_do_not_take_effect(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    await emu.set_faults(status=502, count=2)
    assert await api.error("sendMessage", chat_id=sam.id, text="a") == (502, "Bad Gateway")
    assert await api.ok("getUpdates") == []  # getUpdates is exempt by default
    assert await api.error("sendMessage", chat_id=sam.id, text="b") == (502, "Bad Gateway")
    await api.ok("sendMessage", chat_id=sam.id, text="c")
    assert [m["text"] for m in await sam.bot_messages()] == ["c"]

    await emu.set_faults(status=503, seconds=0.3, methods=["getMe"])
    assert (await api.error("getMe"))[0] == 503
    await api.ok("sendMessage", chat_id=sam.id, text="d")
    await asyncio.sleep(0.35)
    await api.ok("getMe")

    await emu.set_faults(stall_seconds=0.3, count=1)
    started = time.monotonic()
    await api.ok("sendMessage", chat_id=sam.id, text="slow")
    assert time.monotonic() - started >= 0.3
    await emu.set_faults(stall_seconds=0.1, count=1, drop=True)
    assert await api.error("sendMessage", chat_id=sam.id, text="lost") == (504, "Gateway Timeout")
    await emu.set_faults(status=500, count=5)
    await emu.clear_faults()
    await api.ok("sendMessage", chat_id=sam.id, text="e")
    assert [m["text"] for m in await sam.bot_messages()] == ["c", "d", "slow", "e"]
    statuses = [c["status"] for c in await emu.log() if c["method"] == "sendMessage"]
    assert statuses == [502, 502, 200, 200, 200, 504, 200]


async def test_a_share_of_calls_fails_the_same_way_for_the_same_seed(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")

    async def failures(seed: int) -> list[int]:
        await emu.set_faults(status=503, rate=0.1, seed=seed, count=None)
        statuses = [(await api("sendMessage", chat_id=sam.id, text=str(i)))[0] for i in range(200)]
        await emu.clear_faults()
        return [i for i, status in enumerate(statuses) if status == 503]

    first, again, other = await failures(7), await failures(7), await failures(8)
    assert 5 <= len(first) <= 40 and first == again and first != other
    texts = [m["text"] for m in await sam.bot_messages()]
    assert len(texts) == 600 - len(first) - len(again) - len(other)  # a refused call leaves nothing
    with pytest.raises(EmulatorError, match="rate"):
        await emu.set_faults(status=503, rate=1.5)


async def test_a_429_storm_tells_how_long_to_wait(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    await emu.set_faults(status=429, retry_after=3, seconds=0.3)
    for _ in range(3):
        status, body = await api("sendMessage", chat_id=sam.id, text="flood")
        assert status == 429 and body["parameters"] == {"retry_after": 3}
        assert body["description"] == "Too Many Requests: retry after 3"
    assert await api.ok("getUpdates") == []  # the storm spares getUpdates, like other faults
    await asyncio.sleep(0.35)
    await api.ok("sendMessage", chat_id=sam.id, text="calm")
    assert [m["text"] for m in await sam.bot_messages()] == ["calm"]


async def test_a_stalled_call_whose_client_hung_up_never_happens(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    await emu.set_faults(stall_seconds=0.5, count=2)
    url = f"{api.base}/sendMessage"
    async with aiohttp.ClientSession() as impatient:
        with pytest.raises(asyncio.TimeoutError):
            await impatient.post(
                url,
                json={"chat_id": sam.id, "text": "given up"},
                timeout=aiohttp.ClientTimeout(total=0.1),
            )
    async with (
        aiohttp.ClientSession() as patient,
        patient.post(url, json={"chat_id": sam.id, "text": "waited"}) as response,
    ):
        assert response.status == 200
    await asyncio.sleep(0.1)  # the abandoned call's stall is over by now
    assert [m["text"] for m in await sam.bot_messages()] == ["waited"]
    statuses = [c["status"] for c in await emu.log() if c["method"] == "sendMessage"]
    assert sorted(statuses) == [200, 499]


async def test_clearing_faults_ends_the_stalls_in_progress(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    await emu.set_faults(stall_seconds=60, drop=True, count=None)
    held = [asyncio.create_task(api("sendMessage", chat_id=sam.id, text=str(i))) for i in range(3)]
    await asyncio.sleep(0.2)
    assert not any(task.done() for task in held)
    await emu.clear_faults()
    answers = await asyncio.wait_for(asyncio.gather(*held), 5)
    assert [status for status, _ in answers] == [504, 504, 504]
    assert await sam.bot_messages() == []


async def test_rate_limits(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    alex = await emu.create_user("Alex")
    await emu.set_rate_limits(True, per_chat_burst=3, global_per_second=5)
    for i in range(3):
        await api.ok("sendMessage", chat_id=sam.id, text=f"m{i}")
    status, body = await api("sendMessage", chat_id=sam.id, text="flood")
    assert status == 429 and body["parameters"]["retry_after"] >= 1
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )
    await api.ok("sendChatAction", chat_id=sam.id, action="typing")  # not counted
    await api.ok("sendMessage", chat_id=alex.id, text="a1")
    await api.ok("sendMessage", chat_id=alex.id, text="a2")
    assert (await api.error("sendMessage", chat_id=alex.id, text="a3"))[0] == 429  # global 5/s
    log = await emu.log()
    assert sum(1 for c in log if c["status"] == 429) == 2
    await emu.set_rate_limits(False)
    await api.ok("sendMessage", chat_id=sam.id, text="free")


async def test_log_cursor_and_reset(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    await api.ok("sendMessage", chat_id=sam.id, text="a")
    page = await emu.log_page()
    assert page["calls"][0]["method"] == "sendMessage" and page["calls"][0]["chat_id"] == sam.id
    await api.ok("getMe")
    assert [c["method"] for c in await emu.log(since=page["next"])] == ["getMe"]
    await emu.reset()
    assert (await emu.state())["users"] == [] and await emu.log() == []
    assert (await emu.create_user("New")).id == 100001


# -- the client's waits ------------------------------------------------------------------------


async def test_client_waits_and_transcript(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")

    async def bot_replies() -> None:
        await asyncio.sleep(0.2)
        sent = await api.ok("sendMessage", chat_id=sam.id, text="Thinking", reply_markup=KEYBOARD)
        await asyncio.sleep(0.1)
        await api.ok("editMessageText", chat_id=sam.id, message_id=sent["message_id"], text="Done!")

    task = asyncio.create_task(bot_replies())
    messages = await sam.wait_for_bot_messages(1, timeout=5)
    assert SimUser.buttons(messages[0]) == ["Yes", "No"]
    found = await sam.wait_for_text("DONE", timeout=5)
    assert found["edit_count"] == 1
    await task
    with pytest.raises(AssertionError, match=r"(?s)never.*#1 bot edited: Done!"):
        await sam.wait_for_text("never", timeout=0.3)


# -- the real python-telegram-bot against the emulator ---------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_real_ptb_bot(emulator: Emulator, emu: EmulatorClient, api: BotApiCaller) -> None:
    import telegram
    from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

    sam = await emu.create_user("Sam", "sam")
    bot = telegram.Bot(api.token, base_url=f"{emulator.url}/bot")
    async with bot:
        me = await bot.get_me()
        assert me.username == "kintsugi_playground_bot" and me.id == 123456
        await sam.send("/start")
        updates = await bot.get_updates(timeout=1)
        assert (
            updates[0].message.text == "/start"
            and updates[0].message.entities[0].type == "bot_command"
        )
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
        sent = await bot.send_message(
            sam.id, "<b>Hello</b>", parse_mode="HTML", reply_markup=markup
        )
        assert sent.text == "Hello" and sent.reply_markup == markup
        query_id = await sam.press("Go")
        updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
        assert [u.callback_query.data for u in updates] == ["go"]
        assert await bot.answer_callback_query(query_id, text="ok")
        edited = await bot.edit_message_text("Bye", chat_id=sam.id, message_id=sent.message_id)
        assert edited.text == "Bye" and edited.edit_date is not None
        assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
        assert await bot.set_my_commands([BotCommand("start", "Begin")])
        assert [c.command for c in await bot.get_my_commands()] == ["start"]
        photo = await bot.send_photo(sam.id, PNG_1x1, caption="dot")
        assert photo.photo[-1].width == 1

        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(999, "x")
        with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
            await bot.send_message(sam.id, "<b>x", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)not modified"):
            await bot.edit_message_text("Bye", chat_id=sam.id, message_id=sent.message_id)
        await emu.set_rate_limits(True, per_chat_burst=1)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(sam.id, "one")
            await bot.send_message(sam.id, "two")
        retry_after = flood.value.retry_after  # int today, timedelta in a future PTB
        seconds = getattr(retry_after, "total_seconds", lambda: retry_after)()
        assert seconds >= 1
        await emu.set_rate_limits(False)
        for status in (500, 502, 503, 504):
            await emu.set_faults(status=status, count=1)
            with pytest.raises(NetworkError) as failure:
                await bot.send_message(sam.id, "x")
            assert not isinstance(failure.value, BadRequest)
        await sam.block()
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(sam.id, "x")


# -- python -m playground ------------------------------------------------------------------------


async def test_main_prints_ready_and_serves_page() -> None:
    root = Path(__file__).resolve().parents[2]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "playground",
        "--port",
        "0",
        cwd=root,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 15)).decode().strip()
        prefix, url = line.split(" ")
        assert prefix == "PLAYGROUND_READY" and url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:
            async with session.get(url + "/") as response:
                page = await response.text()
                assert response.status == 200 and 'data-testid="start"' in page
            for asset in ("app.js", "style.css"):
                async with session.get(f"{url}/_emu/web/{asset}") as response:
                    assert response.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
