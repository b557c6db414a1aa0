"""Pure marketplace rules: query parsing, listing state, funding, visibility, formatting, charts."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.marketplace import listing
from app.domain.marketplace.query import MarketQuery, parse
from app.domain.platform.charts import line_chart
from app.formatting import money, percent
from tests.factories import offering_doc

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_query_parses_human_units_into_integers_and_round_trips():
    query = parse({"q": "harbour", "min_yield": "6.5", "max_yield": "9", "max_min_investment": "2500.50",
                   "asset_type": "Residential", "sort": "yield", "page": "3"})
    assert (query.min_yield_bps, query.max_yield_bps, query.max_min_investment) == (650, 900, 250050)
    assert query.asset_type == "residential" and query.sort == "yield" and query.page == 3
    assert parse(query.args()) == query
    assert "page=4" in query.url_query(page=4)


@pytest.mark.parametrize(("args", "problem"), [
    ({"min_yield": "lots"}, "Minimum yield must be a percentage"),
    ({"asset_type": "castle"}, "Unknown asset type"),
    ({"max_min_investment": "-5"}, "Minimum investment must be an amount"),
    ({"min_yield": "9", "max_yield": "5"}, "were swapped"),
])
def test_bad_values_are_dropped_with_a_message(args, problem):
    query = parse(args)
    assert any(problem in p for p in query.problems)


def test_garbage_never_raises():
    query = parse({"page": "-1", "sort": "$where", "q": "{\"$ne\": null}", "location": "x" * 500})
    assert query.page == 1 and query.sort == "newest"
    assert "$" not in query.q and "{" not in query.q and len(query.location) <= 60
    assert MarketQuery().args() == {}


def test_listing_state_follows_status_dates_and_supply():
    assert listing.listing_state(offering_doc(now=NOW), NOW) == "open"
    assert listing.listing_state(offering_doc(now=NOW, starts_in_days=5), NOW) == "upcoming"
    assert listing.listing_state(offering_doc(now=NOW, ends_in_days=-1), NOW) == "closed"
    assert listing.listing_state(offering_doc(now=NOW, tokensSold=10_000), NOW) == "closed"
    assert listing.listing_state(offering_doc(now=NOW, status="submitted"), NOW) is None
    assert listing.listing_state(offering_doc(now=NOW, isDelete=True), NOW) is None


def test_listing_state_does_not_depend_on_the_day_the_test_runs():
    """The same offering, judged a year and a day later than built, is closed: only the clock passed counts."""
    later = NOW + timedelta(days=366)
    assert listing.listing_state(offering_doc(now=later), later) == "open"
    assert listing.listing_state(offering_doc(now=NOW), later) == "closed"


def test_funding_is_integer_basis_points_capped_at_100_percent():
    doc = offering_doc(raisedAmount=333_333_33)  # target $1,000,000.00
    assert listing.target_amount(doc) == 1_000_000_00
    assert listing.funded_bps(doc) == 3333
    assert listing.funded_bps(offering_doc(raisedAmount=2_000_000_00)) == 10_000


def test_private_offerings_are_visible_to_members_only():
    doc = offering_doc(details={"isPrivate": True, "offeringMembers": ["member@example.com"]})
    assert not listing.visible_to(doc, None)
    assert not listing.visible_to(doc, {"_id": "u1", "email": "other@example.com"})
    assert listing.visible_to(doc, {"_id": "u2", "email": "member@example.com"})


def test_country_rule_is_unknown_until_the_country_is_known():
    doc = offering_doc(details={"authorizedCountries": ["GB", "FR"]})
    assert listing.country_allowed(doc, "gb") is True
    assert listing.country_allowed(doc, "US") is False
    assert listing.country_allowed(doc, None) is None
    assert listing.country_allowed(offering_doc(), "US") is True


def test_money_and_percent_never_go_through_floats():
    assert money(123456789) == "$1,234,567.89" and money(100_00) == "$100" and money(-5) == "-$0.05"
    assert percent(725) == "7.25%" and percent(700) == "7%" and percent(5) == "0.05%"


def test_line_chart_scales_into_the_box():
    chart = line_chart([("2026-01-01", 100_00), ("2026-06-01", 110_00), ("2026-11-01", 105_00)], width=100, height=50)
    xs = [float(p.split(",")[0]) for p in chart.points.split()]
    ys = [float(p.split(",")[1]) for p in chart.points.split()]
    assert xs == sorted(xs) and min(ys) >= 0 and max(ys) <= 50
    assert (chart.minimum, chart.maximum) == (100_00, 110_00)
    assert line_chart([("2026-01-01", 1)]) is None
