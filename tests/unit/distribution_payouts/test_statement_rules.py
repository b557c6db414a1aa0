"""Pure parts of the yearly statement: which lines belong to a year, holdings at year end replayed from Transfer
events, cost basis at average cost, the year typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.distributions import statements

ZERO = "0x" + "0" * 40
ME, OTHER, TOKEN = "0x" + "1" * 40, "0x" + "2" * 40, "0x" + "3" * 40
END_2025 = datetime(2026, 1, 1, tzinfo=UTC)


def transfer(source: str, to: str, value: int, at: datetime) -> dict:
    return {"event": "Transfer", "address": TOKEN, "args": {"from": source, "to": to, "value": str(value)},
            "blockTimestamp": int(at.timestamp())}


def test_lines_paid_in_the_year_are_kept_by_their_payment_time_in_utc():
    lines = [{"status": "paid", "paidAt": datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)},
             {"status": "paid", "paidAt": datetime(2026, 1, 1, tzinfo=UTC)},
             {"status": "paid", "paidAt": datetime(2025, 1, 1)},  # naive: read as UTC
             {"status": "held", "paidAt": None}, {"status": "declared"}]
    assert [line["paidAt"].month for line in statements.paid_in_year(lines, 2025)] == [1, 12]


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10**30), st.booleans(),
                          st.integers(min_value=-400, max_value=400)), max_size=40))
def test_the_year_end_balance_is_what_came_in_minus_what_went_out_before_the_year_ended(moves):
    events, expected = [], 0
    for value, incoming, day in moves:
        at = END_2025 + timedelta(days=day)
        events.append(transfer(ZERO if incoming else ME, ME if incoming else OTHER, value, at))
        if at < END_2025:
            expected += value if incoming else -value
    held = statements.balances_at(events, {ME}, END_2025)
    assert held.get(TOKEN, 0) == expected


def test_events_without_a_block_time_and_other_wallets_do_not_count():
    events = [transfer(ZERO, OTHER, 5, datetime(2025, 1, 1, tzinfo=UTC)),
              {**transfer(ZERO, ME, 7, datetime(2025, 1, 1, tzinfo=UTC)), "blockTimestamp": None}]
    assert statements.balances_at(events, {ME}, END_2025) == {}


@given(st.lists(st.tuples(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=10**12)),
                min_size=1, max_size=10), st.integers(min_value=0, max_value=10**7))
def test_the_cost_basis_is_the_average_cost_of_the_held_units_never_more_than_paid(orders, balance):
    docs = [{"isMinted": True, "quantity": q, "totalAmount": cost, "orderMinted": datetime(2025, 6, 1, tzinfo=UTC)}
            for q, cost in orders]
    basis = statements.cost_basis(docs, balance, END_2025)
    units, paid = sum(q for q, _ in orders), sum(c for _, c in orders)
    if balance == 0:
        assert basis is None
    else:
        assert basis == paid * min(balance, units) // units
        assert 0 <= basis <= paid


def test_orders_minted_after_the_year_end_are_not_in_its_cost_basis():
    docs = [{"isMinted": True, "quantity": 10, "totalAmount": 1_000_00, "orderMinted": datetime(2026, 2, 1,
                                                                                                tzinfo=UTC)}]
    assert statements.cost_basis(docs, 10, END_2025) is None


def test_a_year_is_four_ascii_digits_from_2000_to_this_year():
    now = datetime(2026, 12, 7, tzinfo=UTC)
    assert statements.parse_year("2025", now) == 2025
    assert statements.parse_year(" 2026 ", now) == 2026
    for typed in ("1999", "2027", "٢٠٢٥", "25", "2025.0", "", None, "9" * 50):
        assert statements.parse_year(typed, now) is None
