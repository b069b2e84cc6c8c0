"""SQL that differs by backend, written once for every repository."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert(connection: AsyncConnection, table):
    """An INSERT that knows ON CONFLICT on both SQLite and PostgreSQL."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
