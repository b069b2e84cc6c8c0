"""Repository for the agreements ledger: agreements and their versions (sealed words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.models import Agreement, AgreementVersion, table_of

AGREEMENTS = table_of(Agreement)
VERSIONS = table_of(AgreementVersion)

PERSONAL, PROPOSED, ACTIVE, DECLINED, RETIRED = (
    "personal",
    "proposed",
    "active",
    "declined",
    "retired",
)
PENDING, ACCEPTED, COUNTERED, NOT_NOW, SUPERSEDED, EXPIRED = (
    "pending",
    "accepted",
    "countered",
    "declined",
    "superseded",
    "expired",
)
# "Not now" is not final: a version put off still awaits the same partner, with no
# expiry, and may be accepted or answered with another wording whenever they're ready.
ANSWERABLE = (PENDING, NOT_NOW)


@dataclass(frozen=True)
class AgreementRecord:
    id: int
    couple_id: int | None
    owner_id: int
    kind: str
    status: str
    retired_at: datetime | None
    retire_requested_by: int | None


@dataclass(frozen=True)
class VersionRecord:
    id: int
    agreement_id: int
    couple_id: int | None
    kind: str
    number: int
    text: str
    why: str
    proposed_by: int
    awaiting_id: int | None
    state: str
    created_at: datetime
    expires_at: datetime | None
    agreement_status: str
    retired_at: datetime | None = None


class Ledger:
    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self._db = connection
        self._vault = vault

    async def add(
        self, owner_id: int, couple_id: int | None, kind: str, status: str, now: datetime
    ) -> int:
        result = await self._db.execute(
            AGREEMENTS.insert()
            .values(
                owner_id=owner_id, couple_id=couple_id, kind=kind, status=status, created_at=now
            )
            .returning(AGREEMENTS.c.id)
        )
        return result.scalar_one()

    async def add_version(
        self,
        agreement_id: int,
        text: str,
        why: str,
        proposed_by: int,
        awaiting_id: int | None,
        state: str,
        now: datetime,
        expires_at: datetime | None,
    ) -> int:
        number = (
            await self._db.execute(
                select(func.coalesce(func.max(VERSIONS.c.number), 0)).where(
                    VERSIONS.c.agreement_id == agreement_id
                )
            )
        ).scalar_one() + 1
        result = await self._db.execute(
            VERSIONS.insert()
            .values(
                agreement_id=agreement_id,
                number=number,
                text_sealed=self._vault.seal(text),
                why_sealed=self._vault.seal(why) if why else None,
                proposed_by=proposed_by,
                awaiting_id=awaiting_id,
                state=state,
                created_at=now,
                expires_at=expires_at,
                decided_at=now if state == ACCEPTED else None,
            )
            .returning(VERSIONS.c.id)
        )
        return result.scalar_one()

    async def version(self, version_id: int) -> VersionRecord | None:
        """One version with its agreement, locked (on PostgreSQL) for a decision."""
        query = self._joined().where(VERSIONS.c.id == version_id)
        if self._db.dialect.name == "postgresql":
            query = query.with_for_update(of=VERSIONS)
        row = (await self._db.execute(query)).first()
        return None if row is None else self._record(row)

    async def decide(self, version_id: int, state: str, now: datetime) -> None:
        await self._db.execute(
            update(VERSIONS).where(VERSIONS.c.id == version_id).values(state=state, decided_at=now)
        )

    async def supersede_accepted(self, agreement_id: int, now: datetime) -> None:
        await self._db.execute(
            update(VERSIONS)
            .where(VERSIONS.c.agreement_id == agreement_id, VERSIONS.c.state == ACCEPTED)
            .values(state=SUPERSEDED, decided_at=now)
        )

    async def agreement(self, agreement_id: int) -> AgreementRecord | None:
        query = select(AGREEMENTS).where(AGREEMENTS.c.id == agreement_id)
        if self._db.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await self._db.execute(query)).first()
        if row is None:
            return None
        return AgreementRecord(
            row.id,
            row.couple_id,
            row.owner_id,
            row.kind,
            row.status,
            row.retired_at,
            row.retire_requested_by,
        )

    async def versions_of(self, agreement_id: int) -> list[VersionRecord]:
        rows = await self._db.execute(
            self._joined()
            .where(VERSIONS.c.agreement_id == agreement_id)
            .order_by(VERSIONS.c.number)
        )
        return [self._record(row) for row in rows]

    async def ask_to_retire(self, agreement_id: int, user_id: int | None) -> None:
        await self._db.execute(
            update(AGREEMENTS)
            .where(AGREEMENTS.c.id == agreement_id)
            .values(retire_requested_by=user_id)
        )

    async def retire(self, agreement_id: int, now: datetime) -> None:
        await self._db.execute(
            update(AGREEMENTS)
            .where(AGREEMENTS.c.id == agreement_id)
            .values(status=RETIRED, retired_at=now, retire_requested_by=None)
        )

    async def move_to_couple(self, agreement_id: int, couple_id: int) -> None:
        await self._db.execute(
            update(AGREEMENTS)
            .where(AGREEMENTS.c.id == agreement_id)
            .values(couple_id=couple_id, status=PROPOSED)
        )

    async def set_status(self, agreement_id: int, status: str) -> None:
        await self._db.execute(
            update(AGREEMENTS).where(AGREEMENTS.c.id == agreement_id).values(status=status)
        )

    async def visible_to(self, user_id: int, couple_ids: list[int]) -> list[VersionRecord]:
        """Every version a user may see: their own personal ones and their couples'."""
        mine = (AGREEMENTS.c.owner_id == user_id) & AGREEMENTS.c.couple_id.is_(None)
        where = or_(mine, AGREEMENTS.c.couple_id.in_(couple_ids)) if couple_ids else mine
        rows = await self._db.execute(
            self._joined().where(where).order_by(VERSIONS.c.agreement_id, VERSIONS.c.number)
        )
        return [self._record(row) for row in rows]

    def _joined(self):
        return select(
            VERSIONS,
            AGREEMENTS.c.couple_id,
            AGREEMENTS.c.kind,
            AGREEMENTS.c.status.label("agreement_status"),
            AGREEMENTS.c.retired_at,
        ).join(AGREEMENTS, AGREEMENTS.c.id == VERSIONS.c.agreement_id)

    def _record(self, row) -> VersionRecord:
        return VersionRecord(
            id=row.id,
            agreement_id=row.agreement_id,
            couple_id=row.couple_id,
            kind=row.kind,
            number=row.number,
            text=self._vault.open(row.text_sealed),
            why=self._vault.open(row.why_sealed) if row.why_sealed else "",
            proposed_by=row.proposed_by,
            awaiting_id=row.awaiting_id,
            state=row.state,
            created_at=row.created_at,
            expires_at=row.expires_at,
            agreement_status=row.agreement_status,
            retired_at=row.retired_at,
        )
