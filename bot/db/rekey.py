"""Key rotation: re-seal every stored secret with the first (newest) key.

Put the new key first in KINTSUGI_ENCRYPTION_KEYS, keep the old ones after
it, run ``python -m bot rotate-keys``, then drop the old keys. Workers may keep
running meanwhile: a value is rewritten only if nobody changed it since it was read.
"""

from __future__ import annotations

from sqlalchemy import Table, select, update

from bot.db.commitments import CHECKINS, COMMITMENTS, WEEKLY
from bot.db.database import Database
from bot.db.inbox import INBOX
from bot.db.ledger import VERSIONS
from bot.db.listening import TURNS
from bot.db.outbox import OUTBOX
from bot.db.reflections import REFLECTIONS
from bot.db.users import USERS

SEALED_COLUMNS: tuple[tuple[Table, str, tuple[str, ...]], ...] = (
    (USERS, "id", ("profile_sealed", "session_sealed", "name_sealed")),
    (INBOX, "update_id", ("payload_sealed",)),
    (OUTBOX, "id", ("payload_sealed",)),
    (VERSIONS, "id", ("text_sealed", "why_sealed")),
    (COMMITMENTS, "id", ("text_sealed",)),
    (CHECKINS, "id", ("note_sealed",)),
    (WEEKLY, "id", ("ratings_sealed",)),
    (REFLECTIONS, "id", ("answers_sealed",)),
    (TURNS, "id", ("text_sealed",)),
)
BATCH = 500


async def rotate_keys(db: Database) -> int:
    """Re-encrypt every sealed value; returns how many values were rewritten."""
    rewritten = 0
    for table, key, columns in SEALED_COLUMNS:
        for column in columns:
            rewritten += await _rotate_column(db, table, key, column)
    return rewritten


async def _rotate_column(db: Database, table: Table, key: str, column: str) -> int:
    done, last = 0, None
    while True:
        async with db.engine.begin() as connection:
            query = select(table.c[key], table.c[column]).where(table.c[column].is_not(None))
            if last is not None:
                query = query.where(table.c[key] > last)
            rows = (await connection.execute(query.order_by(table.c[key]).limit(BATCH))).all()
            for row_key, sealed in rows:
                # Only if unchanged since read: workers keep running during a rotation,
                # and what one wrote meanwhile is already sealed with the new key.
                await connection.execute(
                    update(table)
                    .where(table.c[key] == row_key, table.c[column] == sealed)
                    .values({column: db.vault.rotate(sealed)})
                )
        if not rows:
            return done
        done += len(rows)
        last = rows[-1][0]
