"""Distribution rules without a server: the split adds up exactly (hypothesis over huge balances and odd totals),
per-token totals with 18 decimals, withholding, dates, the waterfall, the record block search, the replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.distributions import rules

WALLETS = st.text(alphabet="0123456789abcdef", min_size=40, max_size=40).map(lambda h: "0x" + h)
BALANCES = st.dictionaries(WALLETS, st.integers(min_value=0, max_value=10**30), min_size=1, max_size=300)
TOTALS = st.integers(min_value=0, max_value=10**15)


@settings(max_examples=300, deadline=None)
@given(TOTALS, BALANCES)
def test_the_lines_add_up_to_the_total_exactly_and_follow_the_balances(total, balances):
    lines = rules.split(total, balances)
    held = {w: b for w, b in balances.items() if b > 0}
    assert set(lines) == set(held)
    if held:
        assert sum(lines.values()) == total
    whole = sum(held.values())
    for wallet, amount in lines.items():
        exact_floor = total * held[wallet] // whole
        assert exact_floor <= amount <= exact_floor + 1  # never more than one cent from the exact share


@settings(max_examples=100, deadline=None)
@given(TOTALS, BALANCES)
def test_the_split_is_the_same_whatever_the_order_of_the_holders(total, balances):
    reversed_order = dict(reversed(list(balances.items())))
    assert rules.split(total, balances) == rules.split(total, reversed_order)


def test_odd_total_among_three_equal_holders_gives_the_left_over_cent_to_the_lowest_address():
    assert rules.split(100, {"0xc": 5, "0xa": 5, "0xb": 5}) == {"0xa": 34, "0xb": 33, "0xc": 33}


def test_largest_remainder_goes_first():
    # exact shares 1000 * (1/6, 2/6, 3/6) = 166.67, 333.33, 500: the 0.67 gets the cent
    assert rules.split(1000, {"0xa": 1, "0xb": 2, "0xc": 3}) == {"0xa": 167, "0xb": 333, "0xc": 500}


def test_no_holder_means_no_line_and_a_negative_total_is_refused():
    assert rules.split(500, {"0xa": 0}) == {}
    with pytest.raises(ValueError):
        rules.split(-1, {"0xa": 1})


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=10**36),
       st.sampled_from([0, 2, 6, 18]))
def test_a_per_token_total_is_whole_tokens_times_the_amount_rounded_down(per_token, supply, decimals):
    total = rules.total_for_per_token(per_token, supply, decimals)
    assert total * 10**decimals <= per_token * supply < (total + 1) * 10**decimals


def test_per_token_with_18_decimals_and_a_huge_supply_is_exact():
    supply = 12_345_678_901 * 10**18 + 5 * 10**17  # 12,345,678,901.5 tokens
    assert rules.total_for_per_token(125, supply, 18) == 1_543_209_862_687  # $1.25 x 12,345,678,901.5, floored


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=0, max_value=10_000))
def test_withholding_never_takes_more_than_the_rate_and_net_plus_withheld_is_gross(gross, bps):
    taken = rules.withheld(gross, bps)
    assert 0 <= taken <= gross
    assert taken * 10_000 <= gross * bps < (taken + 1) * 10_000


def test_withholding_rates_typed_in_percent():
    assert rules.parse_rate("15") == (1500, None)
    assert rules.parse_rate("12.5") == (1250, None)
    assert rules.parse_rate(" 0.25% ") == (25, None)
    assert rules.parse_rate("100") == (10_000, None)
    for bad in ("100.01", "-5", "1.234", "abc", "١٥", "", None, "1e3"):
        bps, problem = rules.parse_rate(bad)
        assert bps is None and problem
    with pytest.raises(ValueError):
        rules.withheld(100, 10_001)


NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_dates_record_after_now_and_payment_on_or_after_record():
    later = NOW + timedelta(days=3)
    assert rules.date_refusals(NOW, later, later) == {}
    assert rules.date_refusals(NOW, later, later + timedelta(days=5)) == {}
    assert "recordDate" in rules.date_refusals(NOW, NOW - timedelta(seconds=1), later)
    assert "recordDate" in rules.date_refusals(NOW, NOW, later)
    assert "paymentDate" in rules.date_refusals(NOW, later, later - timedelta(seconds=1))
    assert set(rules.date_refusals(NOW, None, None)) == {"recordDate", "paymentDate"}
    assert rules.record_refusal_at_approval(NOW, NOW + timedelta(seconds=1))
    assert rules.record_refusal_at_approval(NOW + timedelta(seconds=1), NOW) is None


def test_moments_typed_as_a_day_or_a_utc_time():
    assert rules.parse_moment("2026-12-31", end_of_day=True) == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert rules.parse_moment("2026-12-31", end_of_day=False) == datetime(2026, 12, 31, tzinfo=UTC)
    assert rules.parse_moment("2026-12-31T17:30", end_of_day=True) == datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    assert rules.parse_moment("2026-12-31 17:30:05", end_of_day=True) == datetime(2026, 12, 31, 17, 30, 5, tzinfo=UTC)
    for bad in ("2026-02-30", "31/12/2026", "", None, "２０２６-12-31", "2026-12-31T25:00", "9" * 5000):
        assert rules.parse_moment(bad, end_of_day=True) is None


def test_the_waterfall_adds_up_to_the_total():
    fall = {"grossRent": 10_000_00, "vacancy": 500_00, "operatingCosts": 1_200_00, "managementFee": 800_00,
            "reserveTopUp": 500_00, "distributable": 7_000_00}
    assert rules.waterfall_refusal(fall, 7_000_00) is None
    assert rules.waterfall_refusal(fall, None) is None
    assert "total" in rules.waterfall_refusal(fall, 7_000_01)
    assert "gross rent minus" in rules.waterfall_refusal({**fall, "distributable": 6_999_99}, None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=200), st.integers(0, 7000))
def test_the_record_block_is_the_last_at_or_before_the_moment(steps, moment):
    stamps, now = [], 1000
    for step in steps:  # timestamps never decrease (anvil mines several blocks in one second)
        now += step
        stamps.append(now)
    found = rules.last_block_at_or_before(stamps.__getitem__, len(stamps) - 1, 1000 + moment)
    expected = max((n for n, t in enumerate(stamps) if t <= 1000 + moment), default=None)
    assert found == expected


def _transfer(block, index, sender, receiver, value):
    return {"event": "Transfer", "blockNumber": block, "logIndex": index,
            "args": {"from": sender, "to": receiver, "value": str(value)}}


def test_the_replay_stops_at_the_record_block_and_leaves_out_the_zero_address():
    big = 7 * 10**30
    events = [_transfer(1, 0, rules.ZERO, "0xa", big), _transfer(1, 1, rules.ZERO, "0xb", 5),
              _transfer(2, 0, "0xa", "0xb", 10**30), _transfer(3, 0, "0xb", "0xc", 5),
              _transfer(4, 0, "0xa", rules.ZERO, big - 10**30)]
    assert rules.replay_transfers(events, 2) == {"0xa": 6 * 10**30, "0xb": 10**30 + 5}
    assert rules.replay_transfers(list(reversed(events)), 4) == {"0xb": 10**30, "0xc": 5}


def test_wallets_frozen_whole_at_the_record_block():
    def frozen(block, wallet, is_frozen):
        return {"event": "AddressFrozen", "blockNumber": block, "logIndex": 0,
                "args": {"_userAddress": wallet, "_isFrozen": is_frozen}}
    events = [frozen(1, "0xa", True), frozen(2, "0xb", True), frozen(5, "0xa", False)]
    assert rules.frozen_at(events, 3) == {"0xa", "0xb"}
    assert rules.frozen_at(events, 5) == {"0xb"}
