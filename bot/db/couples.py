"""Repository for partner links: invitations, couples, and the guessing throttle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.models import Couple, Invite, LinkAttempt, table_of

INVITES = table_of(Invite)
COUPLES = table_of(Couple)
ATTEMPTS = table_of(LinkAttempt)


def _locked(connection: AsyncConnection, query):
    if connection.dialect.name == "postgresql":
        return query.with_for_update()
    return query


@dataclass(frozen=True)
class InviteRecord:
    id: int
    inviter_id: int
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None

    def open_at(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class CoupleRecord:
    id: int
    first_id: int
    second_id: int
    linked_at: datetime
    unlinked_at: datetime | None

    def partner_of(self, user_id: int) -> int:
        return self.second_id if user_id == self.first_id else self.first_id


class Couples:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    # ------------------------------------------------------------ invitations

    async def add_invite(
        self, inviter_id: int, token_hash: str, code_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        await self._db.execute(
            INVITES.insert().values(
                inviter_id=inviter_id,
                token_hash=token_hash,
                code_hash=code_hash,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def find_invite(self, secret_hash: str) -> InviteRecord | None:
        """The invitation whose link or code hashes to *secret_hash*, locked."""
        query = select(INVITES).where(
            or_(INVITES.c.token_hash == secret_hash, INVITES.c.code_hash == secret_hash)
        )
        row = (await self._db.execute(_locked(self._db, query))).first()
        return None if row is None else _invite(row)

    async def invite(self, invite_id: int) -> InviteRecord | None:
        query = select(INVITES).where(INVITES.c.id == invite_id)
        row = (await self._db.execute(_locked(self._db, query))).first()
        return None if row is None else _invite(row)

    async def close_invite(self, invite_id: int, now: datetime, used_by: int | None) -> None:
        """Spend an invitation: used when accepted, revoked otherwise."""
        values = {"used_at": now, "used_by": used_by} if used_by else {"revoked_at": now}
        await self._db.execute(update(INVITES).where(INVITES.c.id == invite_id).values(**values))

    async def revoke_open_invites(self, inviter_id: int, now: datetime) -> int:
        result = await self._db.execute(
            update(INVITES)
            .where(
                INVITES.c.inviter_id == inviter_id,
                INVITES.c.used_at.is_(None),
                INVITES.c.revoked_at.is_(None),
                INVITES.c.expires_at > now,
            )
            .values(revoked_at=now)
        )
        return result.rowcount or 0

    # ------------------------------------------------------------ couples

    async def active_for(self, user_id: int) -> CoupleRecord | None:
        query = select(COUPLES).where(
            COUPLES.c.unlinked_at.is_(None),
            or_(COUPLES.c.first_id == user_id, COUPLES.c.second_id == user_id),
        )
        row = (await self._db.execute(_locked(self._db, query))).first()
        return None if row is None else _couple(row)

    async def all_for(self, user_id: int) -> list[CoupleRecord]:
        query = select(COUPLES).where(
            or_(COUPLES.c.first_id == user_id, COUPLES.c.second_id == user_id)
        )
        return [_couple(row) for row in await self._db.execute(query)]

    async def latest_between(self, one: int, other: int) -> CoupleRecord | None:
        query = (
            select(COUPLES)
            .where(
                or_(
                    (COUPLES.c.first_id == one) & (COUPLES.c.second_id == other),
                    (COUPLES.c.first_id == other) & (COUPLES.c.second_id == one),
                )
            )
            .order_by(COUPLES.c.linked_at.desc())
            .limit(1)
        )
        row = (await self._db.execute(query)).first()
        return None if row is None else _couple(row)

    async def link(self, inviter_id: int, partner_id: int, now: datetime) -> None:
        await self._db.execute(
            COUPLES.insert().values(first_id=inviter_id, second_id=partner_id, linked_at=now)
        )

    async def restore(self, couple_id: int) -> None:
        await self._db.execute(
            update(COUPLES).where(COUPLES.c.id == couple_id).values(unlinked_at=None)
        )

    async def unlink(self, couple_id: int, now: datetime) -> None:
        await self._db.execute(
            update(COUPLES).where(COUPLES.c.id == couple_id).values(unlinked_at=now)
        )

    # ------------------------------------------------------------ guessing

    async def note_wrong_code(self, user_id: int, now: datetime) -> None:
        await self._db.execute(ATTEMPTS.insert().values(user_id=user_id, at=now))

    async def wrong_codes_since(self, user_id: int, since: datetime) -> int:
        query = (
            select(func.count())
            .select_from(ATTEMPTS)
            .where(ATTEMPTS.c.user_id == user_id, ATTEMPTS.c.at >= since)
        )
        return (await self._db.execute(query)).scalar_one()


def _invite(row) -> InviteRecord:
    return InviteRecord(row.id, row.inviter_id, row.expires_at, row.used_at, row.revoked_at)


def _couple(row) -> CoupleRecord:
    return CoupleRecord(row.id, row.first_id, row.second_id, row.linked_at, row.unlinked_at)
