"""Payment rules without servers: amounts due, outcomes, keys, and which order a transfer pays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from app.domain.payments.rules import (
    compare,
    due_of,
    flag_reason,
    parse_token_amount,
    payment_key,
    pick_order,
    stablecoin_due,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def order(due: int, *, paid: int = 0, minutes: int = 0, status: str = "pending_payment", flag=None) -> dict:
    return {"_id": ObjectId(), "paymentMethod": "crypto", "paymentDue": due, "paidAmount": paid, "status": status,
            "paymentFlag": flag, "orderReceived": T0 + timedelta(minutes=minutes)}


def test_stablecoin_due_is_cents_in_base_units():
    assert stablecoin_due(125_050, 6) == 1_250_500_000
    assert stablecoin_due(1, 2) == 1
    with pytest.raises(ValueError, match="cannot represent cents"):
        stablecoin_due(100, 0)


def test_due_follows_the_payment_method():
    assert due_of({"paymentMethod": "fiat", "totalAmount": 10_300, "paymentDue": 1}) == 10_300
    assert due_of({"paymentMethod": "crypto", "totalAmount": 10_300, "paymentDue": 103_000_000}) == 103_000_000


@pytest.mark.parametrize(("paid", "due", "outcome"), [(5, 5, "exact"), (4, 5, "underpaid"), (6, 5, "overpaid")])
def test_compare(paid, due, outcome):
    assert compare(paid, due) == outcome


def test_payment_keys_are_natural_and_refuse_incomplete_sources():
    assert payment_key({"kind": "crypto", "txHash": "0xAB", "logIndex": 3}) == "crypto:0xab:3"
    assert payment_key({"kind": "fiat", "reference": "LIB-7K2Q-9XMD"}) == "fiat:LIB-7K2Q-9XMD"
    assert payment_key({"kind": "fiat", "reference": "LIB-1", "transferId": "bank-9"}) == "fiat:LIB-1:bank-9"
    for bad in ({"kind": "crypto", "txHash": "0x1"}, {"kind": "fiat"}, {"kind": "cheque"}):
        with pytest.raises(ValueError):
            payment_key(bad)


def test_flag_reasons_say_how_much_is_missing_or_extra():
    assert flag_reason("underpaid", 9_000, 10_300, "cents") == \
        "Received $90 of $103: $13 is still due."
    assert flag_reason("overpaid", 2_000_000, 1_500_000, "tUSD:6") == (
        "Received 2.000000 tUSD for 1.500000 tUSD due: 0.500000 tUSD too much; an admin will settle or refund it.")


def test_an_exact_fit_wins_over_an_older_order():
    older, newer = order(100, minutes=0), order(250, minutes=5)
    assert pick_order([newer, older], 250) is newer
    assert pick_order([newer, older], 100) is older


def test_without_an_exact_fit_the_oldest_payable_order_takes_it():
    older, newer = order(100, minutes=0), order(250, minutes=5)
    assert pick_order([newer, older], 99) is older


def test_an_underpaid_order_takes_its_top_up_but_an_overpaid_one_takes_nothing():
    underpaid = order(100, paid=60, status="payment_review", flag="underpaid")
    overpaid = order(100, paid=160, status="payment_review", flag="overpaid", minutes=-5)
    assert pick_order([overpaid, underpaid], 40) is underpaid
    assert pick_order([overpaid], 40) is None
    assert pick_order([order(100, status="settled")], 100) is None


def test_token_amounts_parse_to_base_units():
    assert parse_token_amount("1,250.5", 6) == 1_250_500_000
    assert parse_token_amount("3", 0) == 3
    for bad in ("0", "-1", "1.0000001", "abc"):
        with pytest.raises(ValueError):
            parse_token_amount(bad, 6)
