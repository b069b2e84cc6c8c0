"""Due moments from a local rhythm: DST both ways, zones, weekdays, quiet hours, pauses."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nudges.rhythm import EVERY_DAY, Rhythm, next_daily, next_once, rhythm_of

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "Europe/Berlin",
    "UTC",
]


def run(rhythm: Rhythm, start: datetime, count: int, every: int = 1) -> list[tuple[datetime, date]]:
    found, after, last = [], start, None
    for _ in range(count):
        due, day = next_daily(rhythm, after, last, every)
        found.append((due, day))
        after, last = due, day
    return found


def test_one_nudge_per_local_day_across_both_dst_changes_in_london():
    rhythm = Rhythm(LONDON, time(9, 0))
    dues = run(rhythm, datetime(2026, 3, 20, tzinfo=UTC), 230)  # through March and October
    days = [day for _, day in dues]
    assert days == [date(2026, 3, 20) + timedelta(days=n) for n in range(230)]
    assert all(due.astimezone(LONDON).time() == time(9, 0) for due, _ in dues)
    # The UTC hour moves with the clocks; the local hour never does.
    by_day = dict((day, due) for due, day in dues)
    assert by_day[date(2026, 3, 28)].hour == 9 and by_day[date(2026, 3, 29)].hour == 8
    assert by_day[date(2026, 10, 24)].hour == 8 and by_day[date(2026, 10, 25)].hour == 9


def test_a_time_in_the_spring_gap_moves_past_it_and_the_repeated_hour_is_used_once():
    gap = Rhythm(LONDON, time(1, 30))  # 01:00-02:00 does not exist on 29 March 2026
    dues = dict((day, due) for due, day in run(gap, datetime(2026, 3, 27, tzinfo=UTC), 4))
    assert dues[date(2026, 3, 29)].astimezone(LONDON).time() == time(2, 30)
    repeated = Rhythm(LONDON, time(1, 30))  # 01:00-02:00 happens twice on 25 October
    dues = run(repeated, datetime(2026, 10, 23, tzinfo=UTC), 4)
    assert [day for _, day in dues] == [date(2026, 10, 23) + timedelta(days=n) for n in range(4)]
    october_25 = next(due for due, day in dues if day == date(2026, 10, 25))
    assert october_25 == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 01:30 (BST)


def test_new_york_changes_on_other_dates():
    rhythm = Rhythm(NEW_YORK, time(20, 0))
    dues = run(rhythm, datetime(2026, 3, 1, tzinfo=UTC), 250)
    assert len({day for _, day in dues}) == 250
    assert all(due.astimezone(NEW_YORK).time() == time(20, 0) for due, _ in dues)


def test_only_chosen_weekdays():
    weekdays = Rhythm(LONDON, time(8, 0), days=frozenset(range(5)))
    dues = run(weekdays, datetime(2026, 1, 5, tzinfo=UTC), 10)
    assert all(day.weekday() < 5 for _, day in dues)
    assert dues[5][1] == date(2026, 1, 12)


def test_every_other_day_after_fewer_of_these():
    rhythm = Rhythm(LONDON, time(8, 0))
    days = [day for _, day in run(rhythm, datetime(2026, 1, 5, tzinfo=UTC), 5, every=2)]
    assert [(b - a).days for a, b in itertools.pairwise(days)] == [2, 2, 2, 2]


def test_quiet_hours_move_a_nudge_to_their_end_even_across_midnight():
    rhythm = Rhythm(LONDON, time(23, 30), quiet=(time(22, 0), time(7, 0)))
    due, day = next_daily(rhythm, datetime(2026, 1, 5, 12, tzinfo=UTC))
    assert day == date(2026, 1, 5)
    assert due == datetime(2026, 1, 6, 7, 0, tzinfo=UTC)
    snoozed = next_once(rhythm, datetime(2026, 1, 6, 2, 0, tzinfo=UTC))
    assert snoozed == datetime(2026, 1, 6, 7, 0, tzinfo=UTC)
    daytime = Rhythm(LONDON, time(13, 0), quiet=(time(12, 0), time(14, 0)))
    assert next_daily(daytime, datetime(2026, 1, 5, tzinfo=UTC))[0].hour == 14


def test_a_pause_skips_days_until_it_ends():
    until = datetime(2026, 1, 9, 10, 0, tzinfo=UTC)
    rhythm = Rhythm(LONDON, time(9, 0), paused_until=until)
    _due, day = next_daily(rhythm, datetime(2026, 1, 5, tzinfo=UTC))
    assert day == date(2026, 1, 10)
    assert next_once(rhythm, datetime(2026, 1, 6, tzinfo=UTC)) == until


def test_rhythm_from_a_profile():
    profile = {
        "reminder_days": ["0", "2"],
        "quiet_hours": "22:00-07:00",
        "paused_until": "2026-02-01T00:00:00+00:00",
    }
    rhythm = rhythm_of(profile, "Europe/Paris", "20:15")
    assert rhythm.days == frozenset({0, 2}) and rhythm.at == time(20, 15)
    assert rhythm.quiet == (time(22, 0), time(7, 0))
    assert rhythm.paused_until == datetime(2026, 2, 1, tzinfo=UTC)
    assert rhythm_of({}, "Europe/Paris", None) is None
    assert rhythm_of({}, "Not/AZone", "08:00").zone == ZoneInfo("UTC")
    assert rhythm_of({}, None, "08:00").days == EVERY_DAY


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30]),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1)),
)
def test_never_a_skipped_or_doubled_day_anywhere(zone, hour, minute, start):
    rhythm = Rhythm(ZoneInfo(zone), time(hour, minute))
    dues = run(rhythm, start.replace(tzinfo=UTC), 60)
    days = [day for _, day in dues]
    assert days == [days[0] + timedelta(days=n) for n in range(60)]
    instants = [due for due, _ in dues]
    assert instants == sorted(set(instants))
    for due, day in dues:
        local = due.astimezone(ZoneInfo(zone))
        assert local.date() == day
        # On the wall clock: the chosen time, or just after a DST gap that swallowed it.
        drift = datetime.combine(day, local.time()) - datetime.combine(day, time(hour, minute))
        assert timedelta(0) <= drift <= timedelta(hours=1)
