"""Repository for a person's data rights: reading all of it back, and forgetting it.

Forgetting follows one rule, written out in docs/privacy.md: a person's own
rows go; rows two partners share stay for the one who remains, with the
leaver's id replaced by :data:`GONE`. What the remaining partner keeps of the
couple is only what both accepted (the agreements in the wording in force)
and what they wrote themselves. A couple that nobody remains in goes too.

The inbox keeps its ``update_id`` rows (a redelivered update must still be
recognised), stripped of who sent them and of every word.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.commitments import CHECKINS, COMMITMENTS, WEEKLY
from bot.db.couples import ATTEMPTS, COUPLES, INVITES
from bot.db.ledger import ACCEPTED, AGREEMENTS, EXPIRED, PENDING, VERSIONS
from bot.db.listening import ENDED, EXERCISES, OPEN_STATUSES, TURNS
from bot.db.models import SENT, InboxUpdate, OutboxMessage, User, table_of
from bot.db.nudges import NUDGES
from bot.db.nudges import SENT as NUDGES_SENT
from bot.db.reflections import REFLECTIONS

USERS = table_of(User)
INBOX = table_of(InboxUpdate)
OUTBOX = table_of(OutboxMessage)

# Stands in for a person who deleted their data, in rows their partner keeps.
# Telegram user ids are positive, so no one is ever user 0.
GONE = 0

# Rows that belong to one person alone: (table, the column naming them).
OWN_ROWS: tuple[tuple[Table, str], ...] = (
    (TURNS, "author_id"),
    (CHECKINS, "user_id"),
    (COMMITMENTS, "user_id"),
    (WEEKLY, "user_id"),
    (REFLECTIONS, "user_id"),
    (NUDGES, "user_id"),
    (NUDGES_SENT, "user_id"),
    (INVITES, "inviter_id"),
    (ATTEMPTS, "user_id"),
    (USERS, "id"),
)


class Privacy:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    # ------------------------------------------------------------ reading it all back

    async def commitments(self, user_id: int) -> list[dict[str, Any]]:
        """Every commitment, ended ones too, each with its days' check-ins, words opened."""
        rows = (
            await self._db.execute(
                select(COMMITMENTS)
                .where(COMMITMENTS.c.user_id == user_id)
                .order_by(COMMITMENTS.c.id)
            )
        ).all()
        days = (
            await self._db.execute(
                select(CHECKINS)
                .where(CHECKINS.c.user_id == user_id)
                .order_by(CHECKINS.c.day, CHECKINS.c.id)
            )
        ).all()
        found = []
        for row in rows:
            checkins = [
                {
                    "day": day.day,
                    "result": day.result,
                    "note": self._open(day.note_sealed),
                    "asked_at": day.asked_at,
                    "answered_at": day.answered_at,
                    "partner_noticed_at": day.noticed_at,
                }
                for day in days
                if day.commitment_id == row.id
            ]
            found.append(
                {
                    "text": self._open(row.text_sealed),
                    "days": row.days,
                    "status": row.status,
                    "partner_may_see_kept_days": row.visible_to_partner,
                    "created_at": row.created_at,
                    "ended_at": row.ended_at,
                    "checkins": checkins,
                }
            )
        return found

    async def weeks(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self._db.execute(
            select(WEEKLY).where(WEEKLY.c.user_id == user_id).order_by(WEEKLY.c.week_start)
        )
        return [
            {
                "week_start": row.week_start,
                "ratings": self._open(row.ratings_sealed),
                "summary_shared_at": row.shared_at,
                "created_at": row.created_at,
            }
            for row in rows.all()
        ]

    async def turns_written_by(self, user_id: int) -> dict[int, list[dict[str, Any]]]:
        """What this person wrote in listening exercises, by exercise."""
        rows = await self._db.execute(
            select(TURNS).where(TURNS.c.author_id == user_id).order_by(TURNS.c.id)
        )
        found: dict[int, list[dict[str, Any]]] = {}
        for row in rows.all():
            found.setdefault(row.exercise_id, []).append(
                {
                    "kind": row.kind,
                    "attempt": row.attempt,
                    "text": self._open(row.text_sealed),
                    "created_at": row.created_at,
                }
            )
        return found

    async def invites(self, user_id: int) -> list[dict[str, Any]]:
        """Invitations this person made: when, and what became of them (never the secrets)."""
        rows = await self._db.execute(
            select(INVITES).where(INVITES.c.inviter_id == user_id).order_by(INVITES.c.id)
        )
        return [
            {
                "created_at": row.created_at,
                "expires_at": row.expires_at,
                "used_at": row.used_at,
                "revoked_at": row.revoked_at,
            }
            for row in rows.all()
        ]

    def _open(self, sealed: str | None) -> Any:
        return None if sealed is None else self._vault.open(sealed)

    # ------------------------------------------------------------ their messages in the chat

    async def recent_message_ids(self, user_id: int, chat_id: int, since: datetime) -> list[int]:
        """Messages of this chat since *since*: the bot's (as Telegram confirmed them)
        and the person's own (as they came in), oldest first."""
        ours = select(OUTBOX.c.message_id).where(
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.status == SENT,
            OUTBOX.c.message_id.is_not(None),
            OUTBOX.c.sent_at >= since,
        )
        theirs = select(INBOX.c.message_id).where(
            INBOX.c.user_id == user_id,
            INBOX.c.message_id.is_not(None),
            INBOX.c.received_at >= since,
        )
        found = {row[0] for query in (ours, theirs) for row in await self._db.execute(query)}
        return sorted(found)

    # ------------------------------------------------------------ forgetting

    async def forget(self, user_id: int, chat_id: int, now: datetime) -> None:
        """Everything of this person, by the rule in the module docstring."""
        await self._leave_couples(user_id, now)
        await self._leave_ledger(user_id, now)
        for table, column in OWN_ROWS:
            await self._db.execute(delete(table).where(table.c[column] == user_id))
        await self._db.execute(
            update(INVITES).where(INVITES.c.used_by == user_id).values(used_by=None)
        )
        await self._db.execute(delete(OUTBOX).where(OUTBOX.c.chat_id == chat_id))
        await self._scrub_inbox(user_id)

    async def _leave_couples(self, user_id: int, now: datetime) -> None:
        mine = or_(COUPLES.c.first_id == user_id, COUPLES.c.second_id == user_id)
        rows = (await self._db.execute(select(COUPLES).where(mine))).all()
        emptied = [row.id for row in rows if GONE in (row.first_id, row.second_id)]
        await self._drop_couples(emptied)
        kept = [row.id for row in rows if row.id not in emptied]
        if not kept:
            return
        await self._db.execute(
            update(COUPLES)
            .where(COUPLES.c.id.in_(kept), COUPLES.c.unlinked_at.is_(None))
            .values(unlinked_at=now)
        )
        for column in ("first_id", "second_id"):
            await self._db.execute(
                update(COUPLES).where(COUPLES.c[column] == user_id).values({column: GONE})
            )
        await self._db.execute(
            update(EXERCISES)
            .where(EXERCISES.c.couple_id.in_(kept), EXERCISES.c.status.in_(OPEN_STATUSES))
            .values(status=ENDED, updated_at=now)
        )
        for column in ("speaker_id", "listener_id"):
            await self._db.execute(
                update(EXERCISES).where(EXERCISES.c[column] == user_id).values({column: GONE})
            )
        await self._db.execute(
            update(EXERCISES).where(EXERCISES.c.paused_by == user_id).values(paused_by=None)
        )

    async def _drop_couples(self, couple_ids: list[int]) -> None:
        """Couples nobody remains in: their ledger and exercises belong to no one now."""
        if not couple_ids:
            return
        agreements = select(AGREEMENTS.c.id).where(AGREEMENTS.c.couple_id.in_(couple_ids))
        exercises = select(EXERCISES.c.id).where(EXERCISES.c.couple_id.in_(couple_ids))
        for statement in (
            delete(VERSIONS).where(VERSIONS.c.agreement_id.in_(agreements)),
            delete(AGREEMENTS).where(AGREEMENTS.c.couple_id.in_(couple_ids)),
            delete(TURNS).where(TURNS.c.exercise_id.in_(exercises)),
            delete(EXERCISES).where(EXERCISES.c.couple_id.in_(couple_ids)),
            delete(COUPLES).where(COUPLES.c.id.in_(couple_ids)),
        ):
            await self._db.execute(statement)

    async def _leave_ledger(self, user_id: int, now: datetime) -> None:
        personal = select(AGREEMENTS.c.id).where(
            AGREEMENTS.c.owner_id == user_id, AGREEMENTS.c.couple_id.is_(None)
        )
        await self._db.execute(delete(VERSIONS).where(VERSIONS.c.agreement_id.in_(personal)))
        await self._db.execute(
            delete(AGREEMENTS).where(
                AGREEMENTS.c.owner_id == user_id, AGREEMENTS.c.couple_id.is_(None)
            )
        )
        # Their words the partner never accepted go; the wording both accepted stays.
        await self._db.execute(
            delete(VERSIONS).where(VERSIONS.c.proposed_by == user_id, VERSIONS.c.state != ACCEPTED)
        )
        await self._db.execute(
            update(VERSIONS).where(VERSIONS.c.proposed_by == user_id).values(proposed_by=GONE)
        )
        # The partner's proposals waiting for them can no longer be answered.
        await self._db.execute(
            update(VERSIONS)
            .where(VERSIONS.c.awaiting_id == user_id, VERSIONS.c.state == PENDING)
            .values(state=EXPIRED, decided_at=now)
        )
        await self._db.execute(
            update(VERSIONS).where(VERSIONS.c.awaiting_id == user_id).values(awaiting_id=None)
        )
        await self._db.execute(
            update(AGREEMENTS)
            .where(AGREEMENTS.c.retire_requested_by == user_id)
            .values(retire_requested_by=None)
        )
        with_versions = select(VERSIONS.c.agreement_id)
        await self._db.execute(
            delete(AGREEMENTS).where(
                AGREEMENTS.c.owner_id == user_id, AGREEMENTS.c.id.not_in(with_versions)
            )
        )
        await self._db.execute(
            update(AGREEMENTS).where(AGREEMENTS.c.owner_id == user_id).values(owner_id=GONE)
        )

    async def _scrub_inbox(self, user_id: int) -> None:
        """Their updates keep only the update_id, so a redelivery is still recognised.

        Handled rows are scrubbed, and so is the oldest pending one, which is the
        update being handled now (a user's updates are handled strictly in order).
        Later pending updates are someone writing to us afresh: they stay theirs.
        """
        current = (
            select(func.min(INBOX.c.update_id))
            .where(INBOX.c.user_id == user_id, INBOX.c.handled_at.is_(None))
            .scalar_subquery()
        )
        await self._db.execute(
            update(INBOX)
            .where(
                INBOX.c.user_id == user_id,
                or_(INBOX.c.handled_at.is_not(None), INBOX.c.update_id == current),
            )
            .values(user_id=None, message_id=None, payload_sealed=None)
        )


__all__ = ["GONE", "OWN_ROWS", "Privacy"]
