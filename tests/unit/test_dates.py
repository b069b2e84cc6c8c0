"""Dates as the reader reads them: their language's month names and order, their zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.telegram.render import Renderer
from content import catalog
from content.dates import FORMS, format_date
from flows.engine import Context, Label, Moment, Say
from flows.reminders import _summary

EVENING = datetime(2026, 5, 4, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "form", "shown"),
    [
        ("en", "date", "May 4, 2026"),
        ("es", "date", "4 may 2026"),
        ("es", "day_month", "4 may"),
        ("es", "date_time", "4 may 2026, 21:00"),
        ("en", "date_time", "May 4, 2026, 21:00"),
        ("es", "time", "21:00"),
    ],
)
def test_a_date_is_shown_in_the_readers_language_and_zone(locale, form, shown):
    assert format_date(EVENING, locale, "Europe/Madrid", form) == shown


def test_late_evening_in_mexico_is_still_the_day_before_utcs():
    late = datetime(2026, 5, 5, 3, 0, tzinfo=UTC)
    assert format_date(late, "es", "America/Mexico_City") == "4 may 2026"
    assert format_date(late, "es", None) == "5 may 2026"  # no zone yet: UTC


def test_stored_forms_read_the_same():
    naive = datetime(2026, 5, 4, 19, 0)  # the database's UTC without a zone
    assert format_date(naive, "en", "Europe/Madrid", "time") == "21:00"
    assert format_date(EVENING.isoformat(), "es", "Europe/Madrid", "time") == "21:00"
    assert format_date(date(2026, 5, 4), "es", "Asia/Tokyo") == "4 may 2026"


def test_every_form_renders_in_both_locales():
    for form in FORMS:
        assert format_date(EVENING, "es", "Europe/Madrid", form)


def test_the_paused_line_of_reminders_is_a_date_in_the_readers_words_not_iso():
    ctx = Context(now=EVENING, profile={"paused_until": "2026-05-07T19:00:00+00:00"})
    paused = _summary({}, ctx)["paused"]
    assert paused == Label(
        "reminders.paused_line", {"until": Moment("2026-05-07T19:00:00+00:00", "date_time")}
    )
    spanish = Renderer(catalog("es"), "Europe/Madrid").text(
        ("reminders.paused_line",), paused.params
    )
    assert spanish == "<i>En pausa hasta el 7 may 2026, 21:00.</i>"
    english = (
        Renderer(catalog("en"), "America/New_York")
        .render(Say(("reminders.paused_line",), paused.params), chat_id=1)[0]
        .params["text"]
    )
    assert english == "<i>Paused until May 7, 2026, 15:00.</i>"
