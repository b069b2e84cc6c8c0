"""When a nudge is due: a person's local rhythm turned into moments in UTC. Pure.

Everything is computed from the wall clock of the user's zone with zoneinfo,
one local day at a time, so a daylight-saving change can neither skip nor
double a day: a reminder set inside the spring-forward gap is moved to just
after it (fold=0 keeps the pre-transition offset, which lands later), and in
the autumn's repeated hour the first of the two moments is the one used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EVERY_DAY = frozenset(range(7))
LOOK_AHEAD_DAYS = 400  # far enough for any pause or interval a person can choose


@dataclass(frozen=True)
class Rhythm:
    """When someone is willing to hear from us."""

    zone: ZoneInfo
    at: time
    days: frozenset[int] = EVERY_DAY
    quiet: tuple[time, time] | None = None
    paused_until: datetime | None = None

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def moment(self, day: date, at: time | None = None) -> datetime:
        """The UTC instant of a local wall-clock time on a local day."""
        wall = datetime.combine(day, at or self.at).replace(tzinfo=self.zone)
        return wall.astimezone(UTC)

    def is_quiet(self, moment: datetime) -> bool:
        if self.quiet is None:
            return False
        local = moment.astimezone(self.zone).time()
        start, end = self.quiet
        if start <= end:
            return start <= local < end
        return local >= start or local < end  # the quiet spans midnight

    def out_of_quiet(self, moment: datetime) -> datetime:
        """The moment itself, or the end of the quiet hours it falls into."""
        if self.quiet is None or not self.is_quiet(moment):
            return moment
        _, end = self.quiet
        day = self.local_day(moment)
        candidate = self.moment(day, end)
        return candidate if candidate > moment else self.moment(day + timedelta(days=1), end)

    def is_paused(self, moment: datetime) -> bool:
        return self.paused_until is not None and moment < self.paused_until


def next_daily(
    rhythm: Rhythm, after: datetime, last_day: date | None = None, every: int = 1
) -> tuple[datetime, date] | None:
    """The first due moment strictly after ``after`` and the local day it belongs to.

    A day counts when it is one of the rhythm's weekdays, at least ``every``
    days after the last one sent, and its moment is neither paused nor (after
    moving past quiet hours) already gone.
    """
    first = rhythm.local_day(after) - timedelta(days=1)
    for offset in range(LOOK_AHEAD_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in rhythm.days:
            continue
        if last_day is not None and (day - last_day).days < every:
            continue
        due = rhythm.out_of_quiet(rhythm.moment(day))
        if due > after and not rhythm.is_paused(due):
            return due, day
    return None


def next_once(rhythm: Rhythm, wanted: datetime) -> datetime:
    """A one-off moment, moved past a pause and quiet hours."""
    due = max(wanted, rhythm.paused_until or wanted)
    return rhythm.out_of_quiet(due)


# ---------------------------------------------------------------- from a profile


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def rhythm_of(
    profile: Mapping[str, Any],
    zone: str | None,
    reminder_time: str | None,
    days: Iterable[int] | None = None,
) -> Rhythm | None:
    """The rhythm a user chose, or None when they turned reminders off.

    Profile answers: ``reminder_days`` (weekday numbers), ``quiet_hours``
    ("22:00-07:00" or "off") and ``paused_until`` (an ISO moment).
    """
    if not reminder_time:
        return None
    chosen = profile.get("reminder_days")
    paused = profile.get("paused_until")
    return Rhythm(
        zone=zone_of(zone),
        at=clock(reminder_time),
        days=frozenset(int(d) for d in (days if days is not None else chosen or EVERY_DAY)),
        quiet=quiet_hours(profile.get("quiet_hours")),
        paused_until=datetime.fromisoformat(paused) if paused else None,
    )


def quiet_hours(value: str | None) -> tuple[time, time] | None:
    if not value or "-" not in value:
        return None
    start, end = value.split("-", 1)
    return (clock(start), clock(end)) if start != end else None
