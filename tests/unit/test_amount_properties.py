"""Property-based tests of the token and stablecoin arithmetic over decimals 0..18 and supplies up to 10**12.

No server: the storage form of base-unit amounts (app/data/amounts.py), the order quote and fee, settlement's
comparison of paid and due, stablecoin terms for 6- and 18-decimal coins, the whole-token reservation
arithmetic, the sold-out rule and the amounts pages and exports show.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from bson import Int64, ObjectId
from hypothesis import given
from hypothesis import strategies as st

from app.data import amounts
from app.domain.marketplace import listing
from app.domain.offerings import rules as offering_rules
from app.domain.orders import placement as ordering
from app.domain.orders import reservations
from app.domain.orders import rules as order_rules
from app.domain.payments.rules import (
    EXACT,
    OVER,
    UNDER,
    compare,
    due_of,
    flag_reason,
    format_units,
    parse_token_amount,
    pick_order,
    stablecoin_decimals,
    stablecoin_due,
)
from app.domain.portfolio import csv_export as portfolio_csv
from app.domain.portfolio import rules as portfolio
from app.formatting import fixed_units

MAX_SUPPLY = offering_rules.MAX_SUPPLY


def _exact(shown: str) -> Fraction:
    """A displayed amount ("1,234.500000") read back exactly."""
    return Fraction(Decimal(shown.replace(",", "")))
decimals = st.integers(0, 18)
supplies = st.integers(1, MAX_SUPPLY)
prices = st.integers(1, 10**9)          # cents per whole token, up to $10,000,000
fees = st.integers(0, 20_00)            # basis points, the wizard's maximum
coin_decimals = st.sampled_from([6, 18])
cents = st.integers(1, 10**15)          # an order's total, up to $10 trillion
amounts_any = st.integers(-(10**40), 10**40)


def test_the_supported_range_is_what_the_wizard_enforces():
    token_step = offering_rules.step("token")
    fields = {f.name: f for f in token_step.fields}
    assert offering_rules.parse_value(fields["tokenDecimals"], "19")[1]
    assert offering_rules.parse_value(fields["tokenDecimals"], "18") == (18, None)
    assert offering_rules.parse_value(fields["tokenSupply"], str(MAX_SUPPLY)) == (MAX_SUPPLY, None)
    assert "1,000,000,000,000" in offering_rules.parse_value(fields["tokenSupply"], str(MAX_SUPPLY + 1))[1]
    form = {"assetName": "Tower", "tokenTicker": "TWR", "tokenSupply": str(MAX_SUPPLY), "tokenDecimals": "18",
            "lockupMonths": "0", "maxTokenHolding": "1000", "navLaunchPrice": "1,000,000.00"}
    errors = offering_rules.validate_step(token_step, form, datetime(2026, 1, 1).date())[2]
    assert "largest raise" in errors["navLaunchPrice"]
    assert not offering_rules.validate_step(token_step, {**form, "navLaunchPrice": "1,000.00"},
                                            datetime(2026, 1, 1).date())[2]


# --- storage ------------------------------------------------------------------------------------

@given(amounts_any)
def test_an_amount_round_trips_through_its_canonical_string(value):
    text = amounts.store(value)
    assert re.fullmatch(r"0|-?[1-9][0-9]*", text)
    assert amounts.load(text) == value and type(amounts.load(text)) is int


@given(st.integers(-(2**63), 2**63 - 1))
def test_documents_written_as_integers_before_still_read(value):
    assert amounts.load(Int64(value)) == value and amounts.load(value) == value
    assert amounts.match(value) == {"$in": [str(value), value]}


@given(st.integers(2**63, 10**40))
def test_an_amount_beyond_int64_is_matched_by_its_string_only(value):
    assert amounts.match(value) == str(value)


@given(st.dictionaries(st.sampled_from(["quantity", "paymentDue", "paidAmount", "other"]), amounts_any))
def test_encode_then_decode_gives_the_document_back(doc):
    fields = ("quantity", "paymentDue", "paidAmount")
    stored = amounts.encode(doc, fields)
    assert all(isinstance(stored[f], str) for f in fields if f in doc)
    assert stored.get("other") == doc.get("other")
    assert amounts.decode(dict(stored), fields) == doc


@pytest.mark.parametrize("bad", ["", "007", "-0", "1e18", " 5", "5.0", True, 1.5, b"5"])
def test_anything_but_a_canonical_amount_is_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        amounts.load(bad)
    with pytest.raises(TypeError):
        amounts.store(5.0)


# --- order quote and fee ------------------------------------------------------------------------

def offering(supply: int, decimals_: int, price: int, fee_bps: int = 0, sold: int = 0) -> dict:
    return {"status": "live", "isActive": True, "fee": fee_bps, "tokensSold": sold,
            "projectDetails": {"tokenSupply": supply, "tokenDecimals": decimals_, "navLaunchPrice": price}}


@given(supplies, decimals, prices, fees, st.data())
def test_a_quote_is_exact_in_base_units_and_cents(supply, decimals_, price, fee_bps, data):
    tokens = data.draw(st.integers(1, supply))
    q = order_rules.quote_tokens(offering(supply, decimals_, price, fee_bps), tokens)
    assert q.quantity == tokens * 10**decimals_ and q.quantity // order_rules.unit(offering(1, decimals_, 1)) == tokens
    assert q.amount == tokens * price and q.total == q.amount + q.fee_amount
    exact = Fraction(q.amount * fee_bps, 10_000)  # the fee, rounded to the nearest cent, halves up
    assert abs(q.fee_amount - exact) <= Fraction(1, 2)
    if exact - int(exact) == Fraction(1, 2):
        assert q.fee_amount == int(exact) + 1


@given(supplies, decimals, st.data())
def test_an_order_keeps_its_whole_tokens_beside_its_base_units(supply, decimals_, data):
    tokens = data.draw(st.integers(1, supply))
    unit = 10**decimals_
    assert ordering._whole({"tokens": tokens, "quantity": tokens * unit}, unit) == tokens
    assert ordering._whole({"quantity": tokens * unit}, unit) == tokens  # orders from before `tokens`


# --- stablecoin terms and settlement ------------------------------------------------------------

@given(cents, coin_decimals)
def test_stablecoin_due_is_the_total_in_the_coins_own_base_units(total, coin):
    due = stablecoin_due(total, coin)
    assert due == total * 10 ** (coin - 2) and Fraction(due, 10**coin) == Fraction(total, 100)
    shown = fixed_units(due, coin)
    assert _exact(shown) == Fraction(total, 100) and len(shown.split(".")[1]) == coin


@given(cents, coin_decimals, st.integers(0, 10**30))
def test_paid_against_due_settles_only_the_exact_amount(total, coin, delta):
    order = {"paymentMethod": "crypto", "paymentDue": stablecoin_due(total, coin), "paymentDecimals": coin}
    due = due_of(order)
    assert compare(due, due) == EXACT
    if delta:
        assert compare(due + delta, due) == OVER
        assert compare(max(0, due - delta), due) == UNDER
        paid = max(1, due - delta)
        if paid < due:
            reason = flag_reason(UNDER, paid, due, f"tUSD:{stablecoin_decimals(order)}")
            owed = _exact(reason.split(": ")[1].split(" tUSD")[0])
            assert owed == Fraction(due - paid, 10**coin)  # the rest to pay, exact to the last base unit


@given(cents, coin_decimals, st.integers(1, 10**20))
def test_a_top_up_of_exactly_the_rest_goes_to_the_underpaid_order(total, coin, paid_before):
    due = stablecoin_due(total, coin)
    paid_before = min(paid_before, due - 1) if due > 1 else 0
    older = {"_id": ObjectId(), "paymentMethod": "crypto", "paymentDue": due + 1, "paidAmount": 0,
             "status": "pending_payment", "paymentFlag": None, "orderReceived": None}
    underpaid = {"_id": ObjectId(), "paymentMethod": "crypto", "paymentDue": due, "paidAmount": paid_before,
                 "status": "payment_review", "paymentFlag": UNDER, "orderReceived": None}
    assert pick_order([older, underpaid], due - paid_before) is underpaid


@given(st.integers(-(10**40), 10**40), st.integers(0, 18))
def test_amounts_in_messages_are_exact_to_the_last_base_unit(amount, decimals_):
    shown = format_units(amount, f"tUSD:{decimals_}")
    assert _exact(shown.removesuffix(" tUSD")) == Fraction(amount, 10**decimals_)
    assert _exact(fixed_units(amount, decimals_)) == Fraction(amount, 10**decimals_)
    assert _exact(format_units(amount, "cents").replace("$", "")) == Fraction(amount, 100)


@given(st.integers(1, 10**40), st.integers(0, 18))
def test_a_typed_token_amount_reads_back_to_the_last_base_unit(base, decimals_):
    assert parse_token_amount(fixed_units(base, decimals_), decimals_) == base
    with pytest.raises(ValueError):
        parse_token_amount(fixed_units(base, decimals_) + "1" if decimals_ else "0.1", decimals_)


def test_orders_placed_before_the_coins_decimals_were_stored_read_as_six():
    assert stablecoin_decimals({"paymentMethod": "crypto"}) == 6
    assert stablecoin_decimals({"paymentMethod": "crypto", "paymentDecimals": 18}) == 18


# --- reservations (whole tokens) and the sold-out rule ------------------------------------------

def _lua_fits(held: int, tokens: int, limit: int) -> bool:
    """The reservation script's test as Redis runs it: Lua numbers are doubles."""
    return not float(held) + float(tokens) > float(limit)


@given(st.integers(1, 10 * MAX_SUPPLY), st.data())
def test_the_reservation_script_counts_whole_tokens_exactly(supply, data):
    reserved = data.draw(st.integers(0, supply))
    tokens = data.draw(st.integers(1, supply))
    assert _lua_fits(reserved, tokens, supply) == (reserved + tokens <= supply)
    assert order_rules.remaining_supply(offering(supply, 18, 1), reserved) == supply - reserved


@given(st.integers(0, 10 * MAX_SUPPLY), st.integers(16, 18), st.integers(1, 10))
def test_the_reservations_take_whole_tokens_and_refuse_base_units(tokens, decimals_, ordered):
    assert reservations._whole(tokens) == tokens
    with pytest.raises(ValueError, match="whole tokens"):
        reservations._whole(10 * ordered * 10**decimals_)  # an order's quantity of 10+ tokens at 16+ decimals


@given(supplies, decimals, st.data())
def test_sold_out_compares_base_units_with_the_supply_in_base_units(supply, decimals_, data):
    unit = 10**decimals_
    sold_tokens = data.draw(st.integers(0, supply))
    doc = offering(supply, decimals_, 100, sold=sold_tokens * unit)
    assert listing.is_sold_out(doc) == (sold_tokens == supply)
    assert not listing.is_sold_out(offering(supply, decimals_, 100, sold=supply * unit - 1))


# --- what pages and exports show ----------------------------------------------------------------

@given(st.integers(0, MAX_SUPPLY * 10**18), decimals, prices)
def test_holdings_are_shown_and_valued_exactly(base, decimals_, nav):
    assert _exact(portfolio.units(base, decimals_)) == Fraction(base, 10**decimals_)
    assert abs(portfolio.value_cents(base, nav, decimals_) - Fraction(base * nav, 10**decimals_)) <= Fraction(1, 2)
    whole = base // 10**decimals_
    assert portfolio.value_cents(whole * 10**decimals_, nav, decimals_) == whole * nav
    cell = portfolio_csv.safe_cell(portfolio_csv._tokens(base, decimals_))  # the holdings export's tokens cell
    assert re.fullmatch(r"\d+(\.\d+)?", cell) and Fraction(Decimal(cell)) == Fraction(base, 10**decimals_)
