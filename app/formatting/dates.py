"""Dates and times for people: "7 Dec 2026" and "7 Dec 2026, 04:05 UTC" (the zone always stated).

MongoDB hands back naive datetimes that are UTC; some seed fields are ISO strings ("2026-12-07").
Both are accepted; anything else is shown as given rather than failing a page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime

from app.formatting.numbers import LOCALE

DATE_FORMAT = "d MMM y"
DATETIME_FORMAT = "d MMM y, HH:mm"


def _parsed(value: object) -> date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _zone(name: str | None):
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def day(value: object) -> str:
    """A calendar date: 2026-12-07 -> "7 Dec 2026"; empty -> ""."""
    parsed = _parsed(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    return format_date(parsed, DATE_FORMAT, locale=LOCALE)


def when(value: object, zone: str | None = None) -> str:
    """A moment with its zone: "7 Dec 2026, 04:05 UTC", or in `zone` (IANA name) when the user's is known."""
    parsed = _parsed(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(parsed, datetime):
        return day(parsed)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    zone_info = _zone(zone)
    text = format_datetime(parsed, DATETIME_FORMAT, tzinfo=zone_info, locale=LOCALE)
    return f"{text} {'UTC' if zone_info is UTC else zone_info.key}"
