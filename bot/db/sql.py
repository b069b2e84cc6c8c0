"""SQL that differs by backend, written once for every repository."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert(connection: AsyncConnection, table):
    """An INSERT that knows ON CONFLICT on both SQLite and PostgreSQL."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def for_update(connection: AsyncConnection, query, skip_locked: bool = False):
    # SQLite has one writer at a time (BEGIN IMMEDIATE), so row locks are moot there.
    if connection.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=skip_locked)
    return query
