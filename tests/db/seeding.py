"""Many users at once, for scheduler tests and benchmarks: bulk rows, not turns."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.crypto import Vault
from bot.db.database import Database
from bot.db.nudges import NUDGES
from bot.db.users import USERS

PROFILE = {"onboarded": True, "consent": "yes", "role": "hurt", "safety": "no"}


async def seed_due_users(
    db: Database,
    vault: Vault,
    count: int,
    due: datetime,
    first_id: int = 1_000_000,
    zone: str = "Europe/Berlin",
    kind: str = "empathy",
    chunk: int = 5_000,
) -> list[int]:
    """``count`` onboarded users whose daily nudge of ``kind`` is due at ``due``."""
    ids = list(range(first_id, first_id + count))
    profile = vault.seal(PROFILE)  # the same sealed profile for all: sealing is not the point
    local = due.astimezone(ZoneInfo(zone))
    for start in range(0, count, chunk):
        part = ids[start : start + chunk]
        async with db.transaction() as repos:
            connection = repos.users._db
            await connection.execute(
                USERS.insert(),
                [
                    {
                        "id": uid,
                        "chat_id": uid,
                        "locale": "en",
                        "time_zone": zone,
                        "reminder_time": local.strftime("%H:%M"),
                        "is_active": True,
                        "onboarded_at": due,
                        "created_at": due,
                        "updated_at": due,
                        "profile_sealed": profile,
                    }
                    for uid in part
                ],
            )
            await connection.execute(
                NUDGES.insert(),
                [
                    {
                        "user_id": uid,
                        "kind": kind,
                        "ref": "",
                        "due_at": due,
                        "every_days": 1,
                        "state": f'{{"day": "{local.date().isoformat()}"}}',
                    }
                    for uid in part
                ],
            )
    return ids
