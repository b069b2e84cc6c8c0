"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when
TEST_POSTGRES_URL is set; a vault with a throwaway key."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from cryptography.fernet import Fernet

from bot.crypto import Vault
from bot.db.database import Database
from bot.settings import async_database_url

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="TEST_POSTGRES_URL is not set")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs TEST_POSTGRES_URL")


async def _fresh_postgres_database() -> tuple[str, str]:
    admin_url = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"kintsugi_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}", name


async def _drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(
        POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield async_database_url(f"sqlite:///{tmp_path / 'kintsugi.db'}")
        return
    url, name = await _fresh_postgres_database()
    try:
        yield async_database_url(url)
    finally:
        await _drop_postgres_database(name)


@pytest.fixture
def vault_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def vault(vault_key) -> Vault:
    return Vault([vault_key])


@pytest.fixture
async def db(database_url, vault) -> AsyncIterator[Database]:
    database = await Database.open(database_url, vault)
    try:
        yield database
    finally:
        await database.close()
