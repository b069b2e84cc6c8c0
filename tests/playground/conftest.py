"""Fixtures for testing the emulator itself: a running instance and clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from playground.client import EmulatorClient
from playground.emulator import Emulator

TOKEN = "123456:TEST-token_abcdefghijklmnop"


class BotApiCaller:
    """Raw Bot API calls (status + JSON body), to check the wire format exactly."""

    def __init__(self, session: aiohttp.ClientSession, root: str, token: str = TOKEN) -> None:
        self.session, self.root, self.token = session, root, token

    def with_token(self, token: str) -> BotApiCaller:
        return BotApiCaller(self.session, self.root, token)

    @property
    def base(self) -> str:
        return f"{self.root}/bot{self.token}"

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        url = f"{self.root}/bot{self.token}/{method}"
        async with self.session.post(url, json=params) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self(method, **params)
        assert not body["ok"] and body["error_code"] == status, body
        return status, body["description"]


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = Emulator(callback_answer_window=0.5)
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def emu(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.url) as client:
        yield client


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[BotApiCaller]:
    async with aiohttp.ClientSession() as session:
        yield BotApiCaller(session, emulator.url)
