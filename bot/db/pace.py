"""Repository for the send budget every worker shares: slots on one clock.

This is the generic cell rate algorithm with its state in a row: one
statement reserves a run of slots and moves the clock on, so two workers
can never be handed the same moment, and a pause Telegram asks for (429)
moves it on for everyone.
"""

from __future__ import annotations

from sqlalchemy import case
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import SendPace, table_of
from bot.db.sql import insert

PACE = table_of(SendPace)
GLOBAL = "global"


class Pace:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def reserve(
        self, count: int, interval: float, not_before: float, name: str = GLOBAL
    ) -> float:
        """Reserve *count* slots *interval* seconds apart, none before *not_before*
        (epoch seconds); returns the first one's moment."""
        span = count * interval
        statement = insert(self._db, PACE).values(name=name, next_at=not_before + span)
        later = case((PACE.c.next_at > not_before, PACE.c.next_at), else_=not_before)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"next_at": later + span},
        ).returning(PACE.c.next_at)
        next_at = (await self._db.execute(statement)).scalar_one()
        return next_at - span
