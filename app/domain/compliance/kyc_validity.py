"""How long an approved KYC is valid, and which warning is due. Pure: the clock is an argument.

Rules (docs/compliance.md):
- an approval is valid KYC_VALIDITY_MONTHS from its date (`kycApprovedAt`, the approving event's time),
  and never past the identity document's expiry (`documentExpiration` in the KYC data), whichever is sooner;
- the investor is warned WARNING_DAYS before the end, each threshold once per approval; a sweep that first
  runs inside a nearer threshold sends only that one (the farther ones are overtaken, not sent late);
- an approval is identified by its time (its "generation"): a renewal is a new generation, with new
  warnings and a new on-chain claim.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

WARNING_DAYS = (60, 30, 7)
EXPIRED = "expired"  # kycStatus after the validity ended (the grace policy: distributions only)


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months, the day clamped to the month's length (31 Jan + 1 month = 28/29 Feb)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def parse_time(value) -> datetime | None:
    """A stored time (datetime, or the KYC event text 'YYYY-MM-DD HH:MM:SS.ffffff') as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value or "").strip().replace("T", " ").rstrip("Z")
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_day(value) -> date | None:
    """The document's expiry date ('YYYY-MM-DD', or a datetime); None when absent or unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def approved_at(user: dict) -> datetime | None:
    """When the current approval was given: kycApprovedAt, else the last KYC event of an approved user."""
    return parse_time(user.get("kycApprovedAt")) or parse_time(user.get("kycEventAt"))


def valid_until(approved: datetime, months: int, document_expiry: date | None) -> datetime:
    """The end of the approval's validity: `months` after it, capped at the start of the document's expiry day."""
    end = add_months(approved, months)
    if document_expiry is not None:
        end = min(end, datetime.combine(document_expiry, time.min, UTC))
    return end


def warning_due(now: datetime, until: datetime) -> int | None:
    """The nearest threshold (in days) already reached before `until`, or None (too early, or already expired)."""
    if now >= until:
        return None
    reached = [days for days in WARNING_DAYS if now >= until - timedelta(days=days)]
    return min(reached) if reached else None


def days_left(now: datetime, until: datetime) -> int:
    """Whole days left (0 on the last day), for the investor's notice."""
    return max(0, (until - now).days)
