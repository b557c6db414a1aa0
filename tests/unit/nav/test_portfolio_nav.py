"""The portfolio's value over time uses the NAV in force at each date (app.domain.nav.rules.nav_at), and a
position shows its NAV's change since launch: pure folds, no server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.portfolio import rules

T = datetime(2026, 6, 1, tzinfo=UTC)
TOKEN, WALLET, ZERO = "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "00" * 20


def offering(history: list[dict], launch: int = 100_00, decimals: int = 0) -> dict:
    latest = history[-1]["nav"] if history else launch
    return {"_id": "o1", "tokenAddress": TOKEN, "navHistory": history,
            "projectDetails": {"navLaunchPrice": launch, "latestNav": latest, "tokenDecimals": decimals}}


def mint(at: datetime, value: int, block: int = 1) -> dict:
    return {"event": "Transfer", "address": TOKEN, "args": {"from": ZERO, "to": WALLET, "value": value},
            "blockNumber": block, "logIndex": 0, "blockTimestamp": int(at.timestamp())}


def test_the_chart_steps_at_each_effective_date_after_the_first_token():
    doc = offering([{"date": T + timedelta(days=5), "nav": 150_00}, {"date": T + timedelta(days=8), "nav": 90_00}])
    series = rules.value_series([mint(T, 10)], [WALLET], [doc], T + timedelta(days=10), 900_00)
    assert series == [(T, 1_000_00), (T + timedelta(days=5), 1_500_00), (T + timedelta(days=8), 900_00),
                      (T + timedelta(days=10), 900_00)]


def test_a_nav_effective_before_the_first_token_prices_it_from_the_start():
    doc = offering([{"date": T - timedelta(days=3), "nav": 120_00}])
    series = rules.value_series([mint(T, 10)], [WALLET], [doc], T + timedelta(days=1), 1_200_00)
    assert series[0] == (T, 1_200_00)


def test_a_position_shows_its_navs_change_since_launch():
    holdings = [{"token": TOKEN, "balance": 30, "frozen": 0, "isFrozen": False}]
    [position] = rules.positions(holdings, [offering([{"date": T, "nav": 125_50}])], [])
    assert position.nav == 125_50 and position.value == 3_765_00 and position.nav_change_bps == 2550
    [unchanged] = rules.positions(holdings, [offering([])], [])
    assert unchanged.nav_change_bps is None


@given(st.integers(min_value=1, max_value=10**30), st.integers(min_value=1, max_value=10**12),
       st.integers(min_value=1, max_value=10**12))
def test_value_at_each_nav_is_exact_for_18_decimal_tokens(units, launch, nav):
    doc = offering([{"date": T + timedelta(days=1), "nav": nav}], launch=launch, decimals=18)
    series = rules.value_series([mint(T, units)], [WALLET], [doc], T + timedelta(days=2), 0)
    assert series[0][1] == rules.value_cents(units, launch, 18)
    assert series[1] == (T + timedelta(days=1), rules.value_cents(units, nav, 18))
