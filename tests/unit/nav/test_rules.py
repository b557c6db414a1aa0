"""NAV proposal rules without a server: the form's parsing and refusals, and the NAV in force at a moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.nav import rules

TODAY = date(2026, 12, 7)
LAUNCH = date(2026, 1, 15)
GOOD = {"nav": "1,234.56", "effective_date": "2026-11-30", "valuer": "Knight & Co", "method": "comparables"}


def read(**changes):
    return rules.read_proposal({**GOOD, **changes}, today=TODAY, launch=LAUNCH, previous=None)


def test_a_good_form_reads_exactly_into_cents_and_a_day():
    proposal, errors = read()
    assert errors == {}
    assert proposal == rules.Proposal(123_456, date(2026, 11, 30), "Knight & Co", "comparables", "")


@pytest.mark.parametrize(("typed", "cents"), [("100", 100_00), ("$1,250.5", 1_250_50), ("USD 0.01", 1),
                                              ("9999999999999.99", 999_999_999_999_999)])
def test_amounts_as_people_type_them(typed, cents):
    assert read(nav=typed)[0].nav == cents


@pytest.mark.parametrize("typed", ["0", "0.00", "-5", "-0.01"])
def test_zero_or_negative_nav_is_refused(typed):
    proposal, errors = read(nav=typed)
    assert proposal is None and errors["nav"] == "The NAV must be more than zero."


@pytest.mark.parametrize("typed", ["", "abc", "10,5", "1.234", "\u0661\u0662", "£100", "1" * 14, "١٠٠", "1e5"])
def test_other_amounts_are_refused_with_the_format(typed):
    proposal, errors = read(nav=typed)
    assert proposal is None and errors["nav"]


def test_every_problem_is_said_at_once():
    proposal, errors = read(nav="", effective_date="", valuer="", method="astrology")
    assert proposal is None and set(errors) == {"nav", "effective_date", "valuer", "method"}


@pytest.mark.parametrize(("typed", "message"), [
    ("2026-12-08", "cannot be in the future"), ("2026-01-14", "before the offering's launch (2026-01-15)"),
    ("2026-02-30", "calendar date"), ("30/11/2026", "calendar date"), ("２０２６-11-30", "calendar date")])
def test_effective_date_rules(typed, message):
    proposal, errors = read(effective_date=typed)
    assert proposal is None and message in errors["effective_date"]


def test_today_and_the_launch_day_are_accepted():
    assert read(effective_date=TODAY.isoformat())[0].effective == TODAY
    assert read(effective_date=LAUNCH.isoformat())[0].effective == LAUNCH


def test_the_effective_date_must_follow_the_current_navs():
    form = {**GOOD, "effective_date": "2026-06-30"}
    _p, errors = rules.read_proposal(form, today=TODAY, launch=LAUNCH, previous=date(2026, 6, 30))
    assert "must come after the current NAV's (2026-06-30)" in errors["effective_date"]
    assert rules.read_proposal(form, today=TODAY, launch=LAUNCH, previous=date(2026, 6, 29))[1] == {}


def test_other_method_needs_its_description_and_keeps_it():
    assert read(method="other")[1] == {"method_other": "Describe the method used."}
    proposal, _errors = read(method="other", method_other="Residual land value")
    assert proposal.method_other == "Residual land value"
    assert rules.method_label(proposal.method, proposal.method_other) == "Residual land value"
    assert read(method="dcf", method_other="ignored")[0].method_other == ""


def test_valuer_text_is_one_plain_line():
    assert "control characters" in read(valuer="Knight\x00Co")[1]["valuer"]
    assert "under 200" in read(valuer="x" * 201)[1]["valuer"]
    assert read(valuer="Åsa Öberg Värdering 估价")[0].valuer == "Åsa Öberg Värdering 估价"


def test_change_in_basis_points_and_words():
    assert rules.change_bps(100_00, 120_00) == 2000 and rules.change_text(2000) == "+20%"
    assert rules.change_bps(120_00, 100_00) == -1666 and rules.change_text(-1666) == "-16.66%"
    assert rules.change_bps(0, 5) is None and rules.change_text(None) == "n/a"


# --- nav_at ------------------------------------------------------------------------------------

START = datetime(2026, 1, 1, tzinfo=UTC)
days = st.integers(min_value=0, max_value=3650)
navs = st.integers(min_value=1, max_value=10**15)


@given(st.lists(st.tuples(days, navs), max_size=12), navs, days)
def test_nav_at_is_the_latest_entry_at_or_before_the_moment(entries, launch, offset):
    history = [{"date": START + timedelta(days=d), "nav": n} for d, n in entries]
    moment = START + timedelta(days=offset, hours=12)
    earlier = [(d, i, n) for i, (d, n) in enumerate(entries) if START + timedelta(days=d) <= moment]
    expected = max(earlier)[2] if earlier else launch
    assert rules.nav_at(history, launch, moment) == expected
    assert rules.nav_at(list(reversed(history)), launch, moment) in {n for _d, n in entries} | {launch}


@given(st.lists(st.tuples(days, navs), min_size=1, max_size=12, unique_by=lambda e: e[0]), navs)
def test_nav_at_follows_every_entry_from_its_day_and_the_launch_before(entries, launch):
    history = [{"date": START + timedelta(days=d), "nav": n} for d, n in entries]
    for d, n in entries:
        assert rules.nav_at(history, launch, START + timedelta(days=d)) == n
        assert rules.nav_at(list(reversed(history)), launch, START + timedelta(days=d, hours=23)) == n
    assert rules.nav_at(history, launch, START - timedelta(seconds=1)) == launch


def test_nav_at_reads_naive_dates_as_utc_and_ignores_broken_entries():
    history = [{"date": datetime(2026, 3, 1), "nav": 110_00}, {"date": "2026-04-01", "nav": 1}, {"nav": 2}]
    assert rules.nav_at(history, 100_00, datetime(2026, 3, 1, tzinfo=UTC)) == 110_00
    assert rules.nav_at(history, 100_00, datetime(2026, 2, 28, 23, 59, tzinfo=UTC)) == 100_00


@given(days)
def test_day_start_is_utc_midnight(offset):
    day = (START + timedelta(days=offset)).date()
    assert rules.day_start(day) == datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert rules.nav_at([{"date": rules.day_start(day), "nav": 7}], 5, rules.day_start(day)) == 7
