"""The nudge scheduler: a tick that claims due rows in the database and queues their messages.

Nothing about users is held in memory: an APScheduler job (PTB's JobQueue)
calls :meth:`Scheduler.tick` every few seconds in every worker, and each
tick claims a batch of due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
records each occurrence, puts its message in the outbox and moves the row
to its next due moment, all in one transaction. A crash before the commit
leaves the rows due for the next tick; after it, the outbox delivers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.db.database import Database
from bot.db.nudges import NudgeRecord
from bot.db.repositories import Repositories, UserRecord
from bot.nudges import REGISTRY, Occasion, next_standing, rhythm_for
from bot.render import Renderer
from bot.rhythm import next_once
from content import catalog

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class TickReport:
    queued: int = 0  # messages put in the outbox
    late: int = 0  # occurrences skipped because they came due too long ago


class Scheduler:
    def __init__(self, db: Database, clock: Clock, grace: timedelta,
                 on_queued: Callable[[], None] | None = None, batch: int = BATCH) -> None:
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
                claimed = await repos.nudges.claim_due(now, self._batch)
                for nudge in claimed:
                    await self._fire(repos, nudge, now, report)
            if report.queued and self._on_queued is not None:
                self._on_queued()
            if len(claimed) < self._batch:
                break
        if report.late:
            log.info("skipped %d nudges that came due more than %s ago", report.late,
                     self._grace)
        return report

    async def _fire(self, repos: Repositories, nudge: NudgeRecord, now: datetime,
                    report: TickReport) -> None:
        user = await repos.users.get(nudge.user_id)
        if user is None:
            await repos.nudges.remove(nudge.id)
        elif not user.is_active:
            # They blocked the bot: nothing is due until they come back (see reschedule).
            await repos.nudges.rest(user.id)
        elif nudge.standing:
            await self._fire_standing(repos, user, nudge, now, report)
        else:
            await self._fire_one_off(repos, user, nudge, now, report)

    async def _fire_standing(self, repos: Repositories, user: UserRecord, nudge: NudgeRecord,
                             now: datetime, report: TickReport) -> None:
        day = _due_day(nudge, user)
        if now - nudge.due_at > self._grace:
            report.late += 1  # an outage passed it by: no flood of stale nudges
        elif rhythm_for(user, nudge.kind) is not None:
            occasion = Occasion(repos, user, nudge, day, now)
            keys = await REGISTRY[nudge.kind].occurrences(occasion)
            report.queued += await self._send(occasion, keys)
        nudge.last_day = day
        next_standing(user, nudge, now)
        await repos.nudges.advance(nudge)

    async def _fire_one_off(self, repos: Repositories, user: UserRecord, nudge: NudgeRecord,
                            now: datetime, report: TickReport) -> None:
        rhythm = rhythm_for(user, nudge.kind)
        later = None if rhythm is None else next_once(rhythm, now)
        if later is None or later > now:
            # Switched off, paused, or quiet hours began since it was planned.
            nudge.due_at = later
            await repos.nudges.advance(nudge)
            return
        occasion = Occasion(repos, user, nudge, rhythm.local_day(now), now)
        key = nudge.state.get("occurrence") or nudge.ref
        report.queued += await self._send(occasion, [key])
        await repos.nudges.remove(nudge.id)

    async def _send(self, occasion: Occasion, keys: list[str]) -> int:
        repos, user, nudge = occasion.repos, occasion.user, occasion.nudge
        renderer = Renderer(catalog(user.locale))
        queued = 0
        for key in keys:
            # A snoozed message is the same occurrence again, recorded under its own name.
            recorded = key if nudge.ref in ("", key) else f"{key}~{nudge.ref}"
            sent_id = await repos.nudges.record_sent(user.id, nudge.kind, recorded,
                                                     occasion.now)
            if sent_id is None:
                continue
            say = await REGISTRY[nudge.kind].message(occasion, key, sent_id)
            if say is None:
                continue
            for call in renderer.render(say, user.chat_id):
                await repos.outbox.add(user.chat_id, call.method, call.params, occasion.now)
                queued += 1
        return queued


def _due_day(nudge: NudgeRecord, user: UserRecord) -> date:
    named = nudge.state.get("day")
    if named:
        return date.fromisoformat(named)
    rhythm = rhythm_for(user, nudge.kind)
    return (rhythm.local_day(nudge.due_at) if rhythm else nudge.due_at.date())
