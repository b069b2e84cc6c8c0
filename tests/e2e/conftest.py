"""End-to-end fixtures: the emulator on loopback and the real bot polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.runtime import Runtime
from playground.client import EmulatorClient
from playground.emulator import Emulator
from tests.e2e.harness import running, test_settings


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emulator = Emulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
async def emu(emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.url) as client:
        yield client


@pytest.fixture
def settings(emulator, database_url, vault_key):
    return test_settings(emulator.url, database_url, vault_key)


@pytest.fixture
async def bot(settings) -> AsyncIterator[Runtime]:
    async with running(settings) as runtime:
        yield runtime


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
