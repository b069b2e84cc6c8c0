"""The nudge scheduler: a tick that claims due rows in the database and queues their messages.

Nothing about users is held in memory: an APScheduler job (PTB's JobQueue)
calls :meth:`Scheduler.tick` every few seconds in every worker, and each
tick claims a batch of due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
records each occurrence, puts its message in the outbox and moves the row
to its next due moment, all in one transaction. A crash before the commit
leaves the rows due for the next tick; after it, the outbox delivers.

A batch costs a handful of statements whatever its size (bench/ measures
100,000 users due in the same minute): its users come with the claim, and
the records, outbox calls and row moves are written in one statement each.
Between those, each row is worked in claim order exactly as on its own:
occurrences, its next due moment, then (once recorded) messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.db.database import Database
from bot.db.nudges import NudgeRecord
from bot.db.repositories import Repositories
from bot.db.users import UserRecord
from bot.nudges.kinds import REGISTRY, Occasion, next_standing, rhythm_for
from bot.nudges.rhythm import next_once
from bot.telegram.render import Renderer, renderer_for

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class TickReport:
    queued: int = 0  # messages put in the outbox
    late: int = 0  # occurrences skipped because they came due too long ago


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        grace: timedelta,
        on_queued: Callable[[], None] | None = None,
        batch: int = BATCH,
    ) -> None:
        self._db = db
        self._clock = clock
        self._grace = grace
        self._on_queued = on_queued
        self._batch = batch

    async def tick(self) -> TickReport:
        """Handle everything due now, a batch per transaction."""
        now = self._clock.now()
        report = TickReport()
        while True:
            async with self._db.transaction() as repos:
                claimed = await repos.nudges.claim_due_with_users(now, self._batch)
                await self._fire_batch(repos, claimed, now, report)
            if report.queued and self._on_queued is not None:
                self._on_queued()
            if len(claimed) < self._batch:
                break
        if report.late:
            log.info("skipped %d nudges that came due more than %s ago", report.late, self._grace)
        return report

    async def _fire_batch(
        self,
        repos: Repositories,
        claimed: list[tuple[NudgeRecord, Mapping[str, Any] | None]],
        now: datetime,
        report: TickReport,
    ) -> None:
        batch = _Batch()
        users: dict[int, UserRecord] = {}
        for nudge, row in claimed:
            if row is None:
                batch.removed.append(nudge.id)
                continue
            user = users.get(nudge.user_id)
            if user is None:
                user = users[nudge.user_id] = repos.users.from_columns(row)
            if not user.is_active:
                # They blocked the bot: nothing is due until they come back (see reschedule).
                batch.rested.append(user.id)
            elif nudge.standing:
                await self._fire_standing(repos, user, nudge, now, report, batch)
            else:
                await self._fire_one_off(repos, user, nudge, now, batch)
        await self._write(repos, batch, now, report)

    async def _fire_standing(
        self,
        repos: Repositories,
        user: UserRecord,
        nudge: NudgeRecord,
        now: datetime,
        report: TickReport,
        batch: _Batch,
    ) -> None:
        due_at = nudge.due_at
        assert due_at is not None, "a claimed nudge is due: its due_at <= now"
        day = _due_day(nudge, user, due_at)
        if now - due_at > self._grace:
            report.late += 1  # an outage passed it by: no flood of stale nudges
        elif rhythm_for(user, nudge.kind) is not None:
            occasion = Occasion(repos, user, nudge, day, now)
            keys = await REGISTRY[nudge.kind].occurrences(occasion)
            batch.add(occasion, keys)
        nudge.last_day = day
        next_standing(user, nudge, now)
        batch.advanced.append(nudge)

    async def _fire_one_off(
        self,
        repos: Repositories,
        user: UserRecord,
        nudge: NudgeRecord,
        now: datetime,
        batch: _Batch,
    ) -> None:
        rhythm = rhythm_for(user, nudge.kind)
        later = None if rhythm is None else next_once(rhythm, now)
        if rhythm is None or later is None or later > now:
            # Switched off, paused, or quiet hours began since it was planned.
            nudge.due_at = later
            batch.advanced.append(nudge)
            return
        occasion = Occasion(repos, user, nudge, rhythm.local_day(now), now)
        batch.add(occasion, [nudge.state.get("occurrence") or nudge.ref])
        batch.removed.append(nudge.id)

    async def _write(
        self, repos: Repositories, batch: _Batch, now: datetime, report: TickReport
    ) -> None:
        """Record every occurrence, word the new ones, then write the batch out."""
        recorded = await repos.nudges.record_sent_many(
            [(o.user.id, o.nudge.kind, name) for o, _, name in batch.occurrences], now
        )
        calls: list[tuple[int, str, Mapping[str, Any]]] = []
        renderers: dict[tuple[str, str | None, str | None], Renderer] = {}
        for occasion, key, name in batch.occurrences:
            user, kind = occasion.user, occasion.nudge.kind
            # Only the first of a repeated occurrence gets the record (as one by one).
            sent_id = recorded.pop((user.id, kind, name), None)
            if sent_id is None:
                continue
            say = await REGISTRY[kind].message(occasion, key, sent_id)
            if say is None:
                continue
            reader = (user.locale, user.time_zone, (user.profile or {}).get("country"))
            renderer = renderers.get(reader)
            if renderer is None:
                renderer = renderers[reader] = renderer_for(user)
            calls.extend(
                (user.chat_id, call.method, call.params)
                for call in renderer.render(say, user.chat_id)
            )
        await repos.outbox.add_many(calls, now)
        report.queued += len(calls)
        await repos.nudges.advance_many(batch.advanced)
        await repos.nudges.remove_many(batch.removed)
        await repos.nudges.rest_many(batch.rested)


@dataclass
class _Batch:
    """What a claimed batch comes to, written out together at its end."""

    # (occasion, key, name it is recorded under), in claim order
    occurrences: list[tuple[Occasion, str, str]] = field(default_factory=list)
    advanced: list[NudgeRecord] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    rested: list[int] = field(default_factory=list)  # user ids

    def add(self, occasion: Occasion, keys: list[str]) -> None:
        ref = occasion.nudge.ref
        for key in keys:
            # A snoozed message is the same occurrence again, recorded under its own name.
            self.occurrences.append((occasion, key, key if ref in ("", key) else f"{key}~{ref}"))


def _due_day(nudge: NudgeRecord, user: UserRecord, due_at: datetime) -> date:
    named = nudge.state.get("day")
    if named:
        return date.fromisoformat(named)
    rhythm = rhythm_for(user, nudge.kind)
    return rhythm.local_day(due_at) if rhythm else due_at.date()
