"""What the playground page relies on from the emulator: editing a sent message
through the control API, a file's name and size in the chat document, and the
page's own files (the emoji font among them) served and complete."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import pytest

from playground.client import EmulatorClient, EmulatorError
from playground.emoji_font import FONT, TEXT_SYMBOLS, covered, symbols_in_sources
from playground.emulator import Emulator

if TYPE_CHECKING:  # conftest is not importable at runtime (no tests/__init__.py)
    from conftest import BotApiCaller


async def test_an_edit_from_the_page_reaches_the_bot_as_edited_message(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    sent = await sam.send("hello")
    await emu.request(
        "POST", f"/_emu/users/{sam.id}/edits", {"message_id": sent["message_id"], "text": "/help"}
    )
    updates = await api.ok("getUpdates")
    edited = updates[-1]["edited_message"]
    assert (edited["message_id"], edited["text"]) == (sent["message_id"], "/help")
    assert edited["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    shown = [m for m in (await sam.chat())["messages"] if m["sender"] == "user"][-1]
    assert (shown["text"], shown["edit_count"]) == ("/help", 1) and shown["edit_date"]


async def test_only_the_users_own_text_can_be_edited_and_only_to_words(
    emu: EmulatorClient, api: BotApiCaller
) -> None:
    sam = await emu.create_user("Sam")
    sent = await sam.send("hello")
    from_bot = await api.ok("sendMessage", chat_id=sam.id, text="hi")
    sticker = await sam.send_sticker()
    refused = {
        from_bot["message_id"]: "x",
        sticker["message_id"]: "x",
        999: "x",
        sent["message_id"]: "   ",
    }
    for message_id, text in refused.items():
        with pytest.raises(EmulatorError) as error:
            await sam.edit(message_id, text)
        assert error.value.status == 400
    await sam.block()
    with pytest.raises(EmulatorError) as error:
        await sam.edit(sent["message_id"], "hello again")
    assert error.value.status == 409
    updates = await api.ok("getUpdates")
    assert not any("edited_message" in u for u in updates)
    assert (await sam.chat())["messages"][0]["text"] == "hello"


async def test_a_document_shows_its_name_and_size(emu: EmulatorClient, api: BotApiCaller) -> None:
    sam = await emu.create_user("Sam")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(sam.id))
    form.add_field("document", b"{}" * 700, filename="export.json", content_type="application/json")
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api.base}/sendDocument", data=form) as response,
    ):
        assert response.status == 200
    await sam.send_document()
    bot_file, user_file = [m["document"] for m in (await sam.chat())["messages"]]
    assert (bot_file["file_name"], bot_file["file_size"]) == ("export.json", 1400)
    assert bot_file["mime_type"] == "application/json"
    assert user_file["file_name"] == "notes.pdf" and user_file["file_size"] > 0


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("index.html", "text/html"),
        ("app.js", "javascript"),
        ("style.css", "text/css"),
        ("emoji.ttf", "font/ttf"),
        ("emoji-OFL.txt", "text/plain"),
    ],
)
async def test_the_page_files_are_served(emulator: Emulator, name: str, kind: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emulator.url}/_emu/web/{name}") as response,
    ):
        assert response.status == 200 and kind in response.content_type
        assert len(await response.read()) > 100


def test_the_emoji_font_has_every_emoji_the_bot_and_page_use() -> None:
    missing = symbols_in_sources() - covered(FONT) - TEXT_SYMBOLS
    assert not missing, (
        f"no colour glyph shipped for {' '.join(sorted(missing))}: rebuild the font with "
        "`apt-get install fonts-noto-color-emoji && .venv/bin/python -m playground.emoji_font`"
    )
    assert FONT.stat().st_size < 200_000  # a cut of the emoji in use, not the whole font


async def test_a_photo_tells_its_size_so_the_page_can_make_room_before_it_loads(
    emu: EmulatorClient,
) -> None:
    sam = await emu.create_user("Sam")
    await sam.send_photo()
    sizes = (await sam.chat())["messages"][0]["photo"]
    assert (sizes[-1]["width"], sizes[-1]["height"]) == (1280, 960)
