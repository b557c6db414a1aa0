"""KYC validity rules: the end of an approval, the document's expiry cap, and which warning is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.compliance import kyc_validity as v

APPROVED = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)


def test_validity_counts_calendar_months_clamping_the_day():
    assert v.valid_until(APPROVED, 1, None) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert v.valid_until(APPROVED, 12, None) == datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    assert v.valid_until(APPROVED, 25, None) == datetime(2028, 2, 29, 10, 0, tzinfo=UTC)


def test_the_document_expiry_caps_the_validity():
    assert v.valid_until(APPROVED, 12, date(2026, 6, 1)) == datetime(2026, 6, 1, tzinfo=UTC)
    assert v.valid_until(APPROVED, 12, date(2030, 6, 1)) == datetime(2027, 1, 31, 10, 0, tzinfo=UTC)


def test_stored_times_and_days_are_read_or_ignored():
    assert v.parse_time("2026-11-25 10:00:02.000000") == datetime(2026, 11, 25, 10, 0, 2, tzinfo=UTC)
    assert v.parse_time(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert v.parse_time("") is None and v.parse_time("yesterday") is None and v.parse_time(None) is None
    assert v.parse_day("2027-03-04") == date(2027, 3, 4) and v.parse_day("04/03/2027") is None
    assert v.approved_at({"kycEventAt": "2026-01-02 03:04:05.000000"}) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert v.approved_at({"kycApprovedAt": "2026-05-01 00:00:00.000000",
                          "kycEventAt": "2026-06-01 00:00:00.000000"}).month == 5


def test_warnings_at_60_30_and_7_days():
    until = datetime(2026, 12, 31, tzinfo=UTC)
    assert v.warning_due(until - timedelta(days=61), until) is None
    assert v.warning_due(until - timedelta(days=60), until) == 60
    assert v.warning_due(until - timedelta(days=31), until) == 60
    assert v.warning_due(until - timedelta(days=30), until) == 30
    assert v.warning_due(until - timedelta(days=7), until) == 7
    assert v.warning_due(until - timedelta(seconds=1), until) == 7
    assert v.warning_due(until, until) is None  # expired: no warning, the expiry itself


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)), st.integers(1, 120),
       st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))))
def test_validity_is_never_past_the_document_and_never_past_the_months(approved, months, document):
    approved = approved.replace(tzinfo=UTC)
    until = v.valid_until(approved, months, document)
    assert until <= v.add_months(approved, months)
    assert until <= approved + timedelta(days=31 * months)
    if document is not None:
        assert until <= datetime.combine(document, datetime.min.time(), UTC)


@given(st.integers(0, 200 * 86400))
def test_the_warning_due_is_the_nearest_threshold_reached(seconds_before):
    until = datetime(2027, 6, 30, tzinfo=UTC)
    due = v.warning_due(until - timedelta(seconds=seconds_before), until)
    if seconds_before == 0 or seconds_before > 60 * 86400:
        assert due is None
    else:
        assert due == min(d for d in v.WARNING_DAYS if seconds_before <= d * 86400)
