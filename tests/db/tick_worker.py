"""One scheduler tick in its own process, for the multi-worker and kill -9 tests.

Usage: python -m tests.db.tick_worker DATABASE_URL KEY ISO_MOMENT BATCH
Prints how many messages this process queued.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta

from bot.clock import ManualClock
from bot.crypto import Vault
from bot.db.database import Database
from bot.nudges.scheduler import Scheduler


async def main(url: str, key: str, moment: str, batch: int) -> None:
    db = await Database.open(url, Vault([key]))
    try:
        clock = ManualClock(datetime.fromisoformat(moment))
        report = await Scheduler(db, clock, timedelta(hours=2), batch=batch).tick()
        print(json.dumps({"queued": report.queued}), flush=True)
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
