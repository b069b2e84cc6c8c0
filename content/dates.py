"""Dates and times as a reader reads them: in their language (Babel's CLDR data, so
"4 may 2026" in Spanish, "May 4, 2026" in English) and in their own time zone.

Every date the bot shows goes through :func:`format_date`; code never calls
strftime for words a person reads (its month names are English, its order too).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton

# What each form shows, as CLDR skeletons (the date's, the time's): the locale decides
# order and punctuation. Times are 24-hour, as the bot asks for them ("21:30").
FORMS = {
    "date": ("yMMMd", None),  # 4 May 2026
    "day_month": ("MMMd", None),  # 4 May
    "date_time": ("yMMMd", "Hm"),  # 4 May 2026, 19:00
    "weekday_date_time": ("MMMMEEEEd", "Hm"),  # Monday 4 May, 19:00
    "time": (None, "Hm"),  # 19:00
}


def format_date(
    moment: date | datetime | str, locale: str, zone: str | None = None, form: str = "date"
) -> str:
    """*moment* in *form* for a reader of *locale* in *zone* (a datetime without a
    zone is UTC, as the database keeps them; an ISO string is read first)."""
    if isinstance(moment, str):  # a day alone stays that day, in every zone
        moment = date.fromisoformat(moment) if len(moment) == 10 else datetime.fromisoformat(moment)
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment = aware.astimezone(ZoneInfo(zone) if zone else UTC)
    day, time = FORMS[form]
    shown = [
        format_skeleton(skeleton, moment, locale=locale) if skeleton else None
        for skeleton in (day, time)
    ]
    if shown[0] and shown[1]:
        # The locale's own way to join them: "{1}, {0}" in English, "{1}, {0}" or "{1} {0}".
        return Locale.parse(locale).datetime_formats["medium"].format(shown[1], shown[0])
    return shown[0] or shown[1] or ""
