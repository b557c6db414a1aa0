"""The dashboard's and reports' figures from plain documents (no server)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from hypothesis import given
from hypothesis import strategies as st

from app.domain.issuer_dashboard import exports, rules
from app.domain.reports import rules as reports
from app.domain.reports.statement import BadRange, holdings_until, parse_period
from app.domain.transactions import rules as record

UINT256 = st.integers(min_value=0, max_value=2**256 - 1)


def _holding(wallet: str, balance: int, frozen: int = 0, is_frozen: bool = False) -> dict:
    return {"wallet": wallet, "balance": balance, "frozen": frozen, "isFrozen": is_frozen}


@given(st.lists(st.integers(min_value=1, max_value=10**40), min_size=1, max_size=30))
def test_cap_table_shares_never_exceed_the_supply_and_lose_under_a_basis_point_per_holder(balances):
    holdings = [_holding(f"0x{n:040x}", b) for n, b in enumerate(balances)]
    table = rules.cap_table(holdings, {}, {}, None)
    total_bps = sum(row.share_bps for row in table)
    assert 10_000 - len(balances) < total_bps <= 10_000
    assert sum(row.balance for row in table) == sum(balances), "exact: no rounding of token amounts"
    assert [row.balance for row in table] == sorted(balances, reverse=True)


@given(UINT256, st.integers(min_value=0, max_value=18))
def test_csv_writes_any_uint256_amount_exactly_as_whole_tokens(balance, decimals):
    row = rules.CapRow("Holder", "h@example.com", "0xabc", balance, 10_000, 0, False, 0, "GB")
    parsed = next(csv.DictReader(io.StringIO(exports.cap_table_csv([row], decimals))))
    assert int(parsed["token base units"]) == balance
    whole, _, fraction = parsed["tokens"].partition(".")
    assert int(whole + fraction.ljust(decimals, "0")) == balance


def test_cap_table_names_the_owner_and_keeps_unknown_wallets_and_formula_cells_safe():
    owner = ObjectId()
    users = {owner: {"name": "=HYPERLINK(1)", "email": "a@example.com", "residenceCountry": "FR"}}
    table = rules.cap_table([_holding("0xAbC", 30, 5, True), _holding("0xdef", 10), _holding("0x000", 0)],
                            {"0xabc": owner}, users, 100)
    assert [(r.holder, r.share_bps, r.frozen, r.wallet_frozen, r.country) for r in table] == [
        ("=HYPERLINK(1)", 3000, 5, True, "FR"), ("Unknown wallet", 1000, 0, False, "")]
    text = exports.cap_table_csv(table, 0)
    assert "'=HYPERLINK(1)" in text and "\r\n" in text


def test_orders_by_state_keeps_a_held_mint_apart():
    orders = [{"status": "settled", "totalAmount": 100}, {"status": "settled", "mintHeld": True, "totalAmount": 7},
              {"status": "settled", "isMinted": True, "totalAmount": 5}, {"status": "cancelled", "totalAmount": 1}]
    figures = {state: (count, total) for state, count, total in rules.orders_by_state(orders)}
    assert figures["settled"] == (1, 100) and figures["mint_held"] == (1, 7) and figures["minted"] == (1, 5)
    assert figures["cancelled"] == (1, 1) and figures["pending_payment"] == (0, 0)


def test_whitelist_pipeline_is_a_funnel():
    requests = [{"status": "pending_signature"}, {"status": "signed", "is_signed": True},
                {"status": "signed", "taStatus": "approved"},
                {"status": "signed", "taStatus": "approved", "adminStatus": "approved"},
                {"status": "approved"}, {"status": "rejected"}, {"status": "expired"}]
    funnel = rules.whitelist_pipeline(requests)
    assert [count for _key, _label, count in funnel["stages"]] == [5, 4, 3, 2, 1]
    assert funnel["refused"] == 2 and funnel["total"] == 7


def test_raise_series_and_by_month_add_settled_amounts_only():
    t = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    orders = [{"settledAt": t, "isSettled": True, "amount": 1_000, "feeAmount": 10},
              {"settledAt": t + timedelta(hours=2), "isMinted": True, "amount": "2000", "feeAmount": 20},
              {"settledAt": t, "amount": 99}, {"status": "pending_payment", "amount": 5}]
    assert rules.raise_series(orders) == [(t, 1_000), (t + timedelta(hours=2), 3_000)]
    _header, rows = reports.raise_table(orders)
    assert rows == [["2026-01", 1, 1_000, 10, 1_000], ["2026-02", 1, 2_000, 20, 3_000]]


def test_kyc_funnel_and_review_times():
    submitted = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    people = [{"_id": 1, "kycStatus": "approved", "kycEventAt": "2026-02-01 10:00:00.000000"},
              {"_id": 2, "kycStatus": "rejected", "kycEventAt": "2026-02-01 14:00:00.000000"},
              {"_id": 3, "kycStatus": "submitted"}, {"_id": 4, "kycStatus": "notStarted"}]
    details = {1: {"submittedAt": submitted}, 2: {"submittedAt": submitted}, 3: {"submittedAt": submitted}}
    _header, rows = reports.kyc_table(people, details)
    assert dict((label, value) for label, value in rows) == {
        "Signed up": 4, "KYC submitted": 3, "Approved": 1, "Rejected": 1, "Waiting for a decision": 1,
        "Review time, median (hours)": 4.0, "Review time, mean (hours)": 4.0}


def test_distributions_read_seed_fields_and_total_only_what_was_paid():
    dividends = [{"offeringName": "A", "walletAddress": "0x1", "dividendAmount": 1_250, "status": "paid"},
                 {"offeringName": "A", "walletAddress": "0x2", "dividendAmount": "750", "status": "due"}]
    _header, rows = reports.distributions_table(dividends)
    assert rows[-1] == ["total paid", "", "", "", "", 1_250, "paid"]
    assert reports.distributions_table([])[1] == [["total paid", "", "", "", "", 0, "paid"]]


def test_statement_holdings_fold_transfers_before_the_end_of_the_range():
    day = datetime(2026, 3, 1, tzinfo=UTC)

    def transfer(src, dst, value, at):
        return {"event": "Transfer", "address": "0xT", "args": {"from": src, "to": dst, "value": str(value)},
                "blockTimestamp": int(at.timestamp())}
    zero = "0x0000000000000000000000000000000000000000"
    events = [transfer(zero, "0xAA", 10**30, day), transfer("0xAA", "0xBB", 4, day + timedelta(days=1)),
              transfer("0xAA", zero, 6, day + timedelta(days=5))]
    assert holdings_until(events, {"0xaa"}, day + timedelta(days=2)) == {"0xT": 10**30 - 4}
    assert holdings_until(events, {"0xaa"}, day + timedelta(days=9)) == {"0xT": 10**30 - 10}
    assert holdings_until(events, {"0xaa"}, day) == {}


def test_statement_range_is_checked():
    assert parse_period("2026-01-01", "2026-03-31").until == datetime(2026, 4, 1, tzinfo=UTC)
    for start, end in (("2026-13-01", "2026-01-01"), ("2026-02-01", "2026-01-01"), ("", ""), ("²", "2026-01-01"),
                       ("1990-01-01", "2026-01-01")):
        try:
            parse_period(start, end)
        except BadRange as refusal:
            assert str(refusal)
        else:
            raise AssertionError((start, end))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1)), st.text(min_size=1, max_size=40))
def test_record_cursor_round_trips_to_the_microsecond(at, job_id):
    cursor = record.cursor_of({"createdAt": at.replace(tzinfo=UTC), "_id": job_id})
    assert record.parse_cursor(cursor) == (at, job_id)


def test_record_filters_ignore_unknown_values_and_search_by_what_it_looks_like():
    assert record.parse_filters({"op": "$where", "state": {"$ne": 1}, "q": "  "}) == record.Filters()
    order = ObjectId()
    assert record.query_of(record.Filters(search=str(order)))["$or"][0] == {"orderId": order}
    tx = "0x" + "ab" * 32
    assert record.query_of(record.Filters(op="mint", search=tx)) == {
        "$and": [{"op": "mint"}, {"$or": [{"txHash": tx}, {"txs.hash": tx}]}]}
    assert record.parse_cursor("abc") is None and record.parse_cursor("12~") is None


ORDER = st.fixed_dictionaries({
    "status": st.sampled_from(["pending_payment", "payment_review", "settled", "cancelled"]),
    "isMinted": st.booleans(), "mintHeld": st.booleans(),
    "paymentMethod": st.sampled_from(["fiat", "crypto"]),
    "amount": st.integers(min_value=0, max_value=10**15), "feeAmount": st.integers(min_value=0, max_value=10**12),
    "totalAmount": st.integers(min_value=0, max_value=10**15),
    "settledAt": st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
})


@given(st.lists(ORDER, max_size=40))
def test_order_and_raise_tables_lose_no_cent(orders):
    for order in orders:
        order["isSettled"] = order["status"] == "settled"
    _header, by_state = reports.orders_table(orders)
    assert sum(row[2] for row in by_state) == len(orders)
    assert sum(row[3] for row in by_state) == sum(o["totalAmount"] for o in orders)
    paid = [o for o in orders if o["isSettled"] or o["isMinted"]]
    _header, months = reports.raise_table(orders)
    assert sum(row[2] for row in months) == sum(o["amount"] for o in paid) == (months[-1][4] if months else 0)
    assert [row[0] for row in months] == sorted({row[0] for row in months})
    series = rules.raise_series(orders)
    assert (series[-1][1] if series else 0) == sum(o["amount"] for o in paid)
