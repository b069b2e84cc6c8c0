"""The pure pieces behind nudges: the prompt pool, day choices, quiet-hour ranges, trends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.db.commitments import CheckInRecord, CommitmentRecord
from bot.features.progress import _kept_per_week, _trend
from bot.nudges.kinds import NO_REPEAT_DAYS, empathy_pool
from flows.commitments import chosen_days
from flows.engine import Context
from flows.questions import ROLES
from flows.reminders import _quiet_range


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", [1, 2, 3])
def test_the_listening_prompts_do_not_repeat_within_a_month_for_anyone(role, step):
    assert len(empathy_pool(role, step)) > NO_REPEAT_DAYS


def test_days_a_commitment_applies_on():
    assert chosen_days({"_days_choice": "every"}) == "0123456"
    assert chosen_days({"_days_choice": "weekdays"}) == "01234"
    assert chosen_days({"_days_choice": "choose", "_picked_days": ["4", "1"]}) == "14"
    assert chosen_days({"_days_choice": "choose", "_picked_days": []}) == "0123456"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("22:30-06:30", "22:30-06:30"),
        ("10pm - 7am", "22:00-07:00"),
        ("21.00–08.15", "21:00-08:15"),
        ("23 to 7", "23:00-07:00"),
    ],
)
def test_quiet_hours_typed_in_many_ways(typed, value):
    assert _quiet_range(typed, Context(now=datetime.now(UTC))).value == value


@pytest.mark.parametrize("typed", ["tonight", "22:00", "25:00-07:00", "07:00-07:00"])
def test_quiet_hours_that_make_no_sense_are_refused_kindly(typed):
    assert _quiet_range(typed, Context(now=datetime.now(UTC))).error == "reminders.quiet_bad"


def test_trends_need_several_weeks_and_a_real_change():
    assert _trend([3.0, 3.5]) == "early"
    assert _trend([2.0, 2.2, 2.1, 3.0, 3.2, 3.4]) == "up"
    assert _trend([3.4, 3.3, 3.5, 2.5, 2.6, 2.4]) == "down"
    assert _trend([3.0, 3.1, 3.0, 3.1, 3.0, 3.1]) == "steady"


def test_kept_days_per_week_count_partly_as_half():
    def day(d: date, result: str | None) -> CheckInRecord:
        return CheckInRecord(0, 1, 1, d, result, None)

    kept, planned = _kept_per_week(
        [
            day(date(2026, 1, 5), "kept"),
            day(date(2026, 1, 6), "partly"),
            day(date(2026, 1, 7), None),
            day(date(2026, 1, 12), "kept"),
        ]
    )
    assert kept == {date(2026, 1, 5): 1.5, date(2026, 1, 12): 1.0}
    assert planned == {date(2026, 1, 5): 3, date(2026, 1, 12): 1}


def test_a_commitment_applies_only_on_its_days_while_active():
    record = CommitmentRecord(1, 1, "x", "14", "active", False, datetime(2026, 1, 1, tzinfo=UTC))
    assert record.applies_on(date(2026, 1, 6)) and not record.applies_on(date(2026, 1, 5))
    paused = CommitmentRecord(1, 1, "x", "14", "paused", False, datetime(2026, 1, 1, tzinfo=UTC))
    assert not paused.applies_on(date(2026, 1, 6))
