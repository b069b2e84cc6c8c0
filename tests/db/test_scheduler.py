"""The nudge scheduler against SQLite and PostgreSQL, with an injected clock.

Weeks of simulated days across both daylight-saving changes, in two zones;
late nudges after an outage; blocked users; two worker processes at once;
and a worker killed with SIGKILL in the middle of a dispatch.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.db.database import Database
from bot.nudges.kinds import reschedule
from bot.nudges.scheduler import Scheduler
from tests.db.seeding import seed_due_users

ROOT = Path(__file__).resolve().parents[2]
GRACE = timedelta(hours=2)
SAM, ALEX = 11, 12
LONDON, NEW_YORK = "Europe/London", "America/New_York"


async def make_user(
    db: Database, user_id: int, zone: str, at: str, now: datetime, **profile
) -> None:
    async with db.transaction() as repos:
        user = await repos.users.lock(user_id, user_id, "en", now)
        user.time_zone, user.reminder_time = zone, at
        user.profile = {
            "onboarded": True,
            "consent": "yes",
            "role": "hurt",
            "safety": "no",
            **profile,
        }
        await repos.users.save(user, now)
        await repos.commitments.add(user_id, "I text when I'm late", "0123456", now)
        await reschedule(repos, user, now)


async def run_until(
    db: Database,
    scheduler: Scheduler,
    clock: ManualClock,
    until: datetime,
    delay: timedelta = timedelta(seconds=4),
) -> None:
    """Jump from one due moment to the next, ticking a few seconds after each."""
    while True:
        async with db.transaction() as repos:
            due = await repos.nudges.next_due()
        if due is None or due > until:
            return
        clock.set(max(clock.now(), due + delay))
        await scheduler.tick()


async def sent(db: Database) -> list[tuple[int, str, str, datetime]]:
    async with db.transaction() as repos:
        return await repos.nudges.all_sent()


async def outbox_by_chat(db: Database) -> Counter:
    async with db.engine.connect() as connection:
        rows = await connection.execute(text("SELECT chat_id FROM outbox"))
        return Counter(row[0] for row in rows)


SPRING = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 12, tzinfo=UTC))
AUTUMN = (datetime(2026, 10, 11, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC))


@pytest.mark.parametrize("period", [SPRING, AUTUMN], ids=["spring", "autumn"])
async def test_weeks_of_days_each_nudge_once_at_local_time_across_dst(db, period):
    start, end = period
    clock = ManualClock(start)
    await make_user(db, SAM, LONDON, "20:00", start)
    await make_user(db, ALEX, NEW_YORK, "07:30", start)
    async with db.transaction() as repos:
        await repos.couples.link(SAM, ALEX, start)
    await run_until(db, Scheduler(db, clock, GRACE), clock, end)

    records = await sent(db)
    days = (end - start).days
    for user, zone, at in ((SAM, LONDON, time(20, 0)), (ALEX, NEW_YORK, time(7, 30))):
        mine = [r for r in records if r[0] == user]
        by_kind = defaultdict(list)
        for _, kind, occurrence, at_utc in mine:
            by_kind[kind].append((occurrence, at_utc.astimezone(ZoneInfo(zone))))
        for kind in ("empathy", "checkin"):
            local_days = [moment.date() for _, moment in by_kind[kind]]
            assert len(local_days) == len(set(local_days)), f"{kind} twice on a day"
            first = local_days[0]
            assert local_days == [first + timedelta(days=n) for n in range(len(local_days))]
            assert len(local_days) >= days - 1
            for _, moment in by_kind[kind]:
                assert time(at.hour, at.minute) <= moment.time() < time(at.hour, at.minute + 1)
        weekly = [moment for _, moment in by_kind["weekly"]]
        assert weekly and all(moment.weekday() == 6 for moment in weekly)
        assert len({moment.date() for moment in weekly}) == len(weekly)
        prompts = [occurrence.split(":")[-1] for occurrence, _ in by_kind["empathy"]]
        for n in range(len(prompts)):
            window = prompts[max(0, n - 30) : n + 1]
            assert len(window) == len(set(window)), "a prompt came back within a month"
    assert sum((await outbox_by_chat(db)).values()) == len(records)


async def test_a_nudge_missed_by_an_outage_is_sent_late_within_grace_and_skipped_beyond(db):
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)  # 20:00 in London is 20:00 UTC in January
    await make_user(db, SAM, LONDON, "20:00", start)
    clock = ManualClock(start)
    scheduler = Scheduler(db, clock, GRACE)
    clock.set(datetime(2026, 1, 5, 21, 30, tzinfo=UTC))  # down for 90 minutes
    assert (await scheduler.tick()).queued == 2  # the prompt and the check-in
    clock.set(datetime(2026, 1, 6, 23, 0, tzinfo=UTC))  # down for three hours
    report = await scheduler.tick()
    assert report.queued == 0 and report.late == 2
    clock.set(datetime(2026, 1, 7, 20, 0, 5, tzinfo=UTC))
    assert (await scheduler.tick()).queued == 2
    days = sorted(
        {occurrence[:10] for _, kind, occurrence, _ in await sent(db) if kind == "empathy"}
    )
    assert days == ["2026-01-05", "2026-01-07"]


async def test_nothing_reaches_someone_who_blocked_the_bot_until_they_return(db):
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)
    await make_user(db, SAM, LONDON, "20:00", start)
    async with db.transaction() as repos:
        await repos.users.set_active(SAM, False, start)
    clock = ManualClock(datetime(2026, 1, 5, 20, 0, 5, tzinfo=UTC))
    scheduler = Scheduler(db, clock, GRACE)
    assert (await scheduler.tick()).queued == 0
    async with db.transaction() as repos:
        assert all(n.due_at is None for n in await repos.nudges.for_user(SAM))
    clock.set(datetime(2026, 1, 9, 20, 0, 5, tzinfo=UTC))
    assert (await scheduler.tick()).queued == 0
    async with db.transaction() as repos:  # what a turn does when they write again
        user = await repos.users.lock(SAM, SAM, "en", clock.now())
        user.is_active = True
        await repos.users.save(user, clock.now())
        await reschedule(repos, user, clock.now())
    clock.set(datetime(2026, 1, 10, 20, 0, 5, tzinfo=UTC))
    assert (await scheduler.tick()).queued == 2


async def test_two_schedulers_on_one_database_send_each_nudge_once(db, vault):
    due = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
    ids = await seed_due_users(db, vault, 1_500, due)
    clock = ManualClock(due + timedelta(seconds=3))
    second = await Database.open(str(db.engine.url.render_as_string(hide_password=False)), vault)
    try:
        reports = await asyncio.gather(
            Scheduler(db, clock, GRACE, batch=50).tick(),
            Scheduler(second, clock, GRACE, batch=50).tick(),
        )
    finally:
        await second.close()
    assert sum(r.queued for r in reports) == len(ids)
    assert set((await outbox_by_chat(db)).values()) == {1}
    assert len(await outbox_by_chat(db)) == len(ids)


# ------------------------------------------------------------------ real processes


def _worker(url: str, key: str, moment: datetime, batch: int):
    return asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.db.tick_worker",
        url,
        key,
        moment.isoformat(),
        str(batch),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _queued(db: Database) -> int:
    async with db.engine.connect() as connection:
        return (await connection.execute(text("SELECT count(*) FROM outbox"))).scalar_one()


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


async def test_two_worker_processes_send_each_nudge_once(db, vault, vault_key):
    due = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
    ids = await seed_due_users(db, vault, 3_000, due)
    moment = due + timedelta(seconds=2)
    workers = [await _worker(_url(db), vault_key, moment, 100) for _ in range(2)]
    outputs = [await w.communicate() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [o[1][-800:] for o in outputs]
    queued = [json.loads(out.decode().strip().splitlines()[-1])["queued"] for out, _ in outputs]
    assert sum(queued) == len(ids)
    per_chat = await outbox_by_chat(db)
    assert len(per_chat) == len(ids) and set(per_chat.values()) == {1}


async def test_a_worker_killed_mid_dispatch_loses_nothing_and_doubles_nothing(db, vault, vault_key):
    due = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
    ids = await seed_due_users(db, vault, 4_000, due)
    moment = due + timedelta(seconds=2)
    # Small batches make many commits, so the kill lands between some and inside one.
    worker = await _worker(_url(db), vault_key, moment, 4)
    for _ in range(3000):  # kill it once some batches are committed, well before the end
        if await _queued(db) >= 40:
            break
        await asyncio.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    done_before = sum((await outbox_by_chat(db)).values())
    assert 0 < done_before < len(ids), "the kill landed mid-dispatch"
    restarted = await _worker(_url(db), vault_key, moment + timedelta(seconds=30), 500)
    _, err = await restarted.communicate()
    assert restarted.returncode == 0, err.decode()[-800:]
    per_chat = await outbox_by_chat(db)
    assert len(per_chat) == len(ids) and set(per_chat.values()) == {1}
    records = await sent(db)
    assert len(records) == len(ids) == len({(r[0], r[2]) for r in records})


async def test_a_day_that_is_not_chosen_or_a_paused_one_sends_nothing(db):
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)  # a Monday
    until = (start + timedelta(days=3)).isoformat()
    await make_user(
        db, SAM, LONDON, "20:00", start, reminder_days=["0", "2", "4"], paused_until=until
    )
    clock = ManualClock(start)
    await run_until(db, Scheduler(db, clock, GRACE), clock, start + timedelta(days=8))
    days = sorted({date.fromisoformat(o[:10]) for _, k, o, _ in await sent(db) if k == "empathy"})
    assert days == [date(2026, 1, 9), date(2026, 1, 12)]  # Friday, then Monday
