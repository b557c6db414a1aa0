"""An 18-decimal offering on the real servers: base units beyond 2**63 are placed, settled, counted and shown.

Before: an order of 10 tokens answered 500 (`OverflowError` in `orders.insert_new`) and left the tokens
reserved; a bank payment marked received settled the order but not the raise (`$inc` past int64); the
offering read "Closed" after its first sale (base units against whole tokens).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.data import holdings, offerings, orders
from app.domain.marketplace import listing
from app.domain.orders import placement as ordering
from app.domain.orders import reservations
from app.domain.payments.rules import stablecoin_due
from app.domain.payments.settlement import settle
from app.domain.whitelisting.rules import request_refusal
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import login, make_user, post, signed_in_client
from tests.fixtures.chain import ZERO
from tests.fixtures.chain_events import apply, investor_with_wallet, log_message
from tests.fixtures.orders import approve, order_form, quick_investor

UNIT = 10**18


@pytest.fixture
def offering(db):
    """20 tokens of 18 decimals at $100.00, 1.5 % fee, at most 20 per investor."""
    return list_offering(db, offering_doc(fee=150, details={"tokenDecimals": 18, "tokenSupply": 20,
                                                            "maxTokenHolding": 20}))


def _reserved_equals_orders(app, db, offering) -> int:
    """The Redis reservation (whole tokens) and the placed orders agree; returns the count."""
    held = orders.held(db, offering["_id"])
    assert sum(o["tokens"] for o in held) == sum(o["quantity"] for o in held) // UNIT
    assert reservations.reserved(app.config, offering["_id"]) == sum(o["tokens"] for o in held)
    return reservations.reserved(app.config, offering["_id"])


def test_an_order_of_ten_18_decimal_tokens_is_placed_and_reserved_once(app, db, offering):
    user = make_user("investor")
    approve(db, user, offering)
    client = app.test_client()
    assert login(client, user).status_code == 303
    placed = post(client, f"/invest/{offering['_id']}/order", order_form(10))
    assert placed.status_code == 303, placed.text
    order = orders.by_key(db, db.orders.find_one({})["idempotencyKey"])
    assert order["quantity"] == 10 * UNIT and order["tokens"] == 10
    assert db.orders.find_one({})["quantity"] == "10000000000000000000"  # a decimal string: past int64
    assert _reserved_equals_orders(app, db, offering) == 10
    page = client.get(placed.headers["Location"])
    assert page.status_code == 200 and "$1,015" in page.text
    assert "No orders yet" not in client.get("/portfolio/orders").text


def test_a_failed_insert_gives_its_reservation_back(app, db, offering, monkeypatch):
    user = quick_investor(db, offering)

    def overflow(*_args):
        raise OverflowError("MongoDB can only handle up to 8-byte ints")

    with monkeypatch.context() as patch:  # the failure the old int64 `quantity` met on every insert
        patch.setattr(orders, "insert_new", overflow)
        with pytest.raises(OverflowError):
            ordering.place(app.config, user, str(offering["_id"]), order_form(10))
    assert db.orders.count_documents({}) == 0
    assert reservations.reserved(app.config, offering["_id"], user["_id"]) == 0
    assert _reserved_equals_orders(app, db, offering) == 0
    ordering.place(app.config, user, str(offering["_id"]), order_form(10))  # and the next one fits
    assert _reserved_equals_orders(app, db, offering) == 10


def test_a_bank_payment_on_an_18_decimal_order_is_counted_and_sold_out_compares_like_units(
        app, db, offering, admin_client):
    first = ordering.place(app.config, quick_investor(db, offering), str(offering["_id"]), order_form(10))
    response = post(admin_client, f"/admin/orders/{first['_id']}/payment", {"amount": "1,015.00"})
    assert response.status_code == 303
    assert orders.get(db, first["_id"])["status"] == "settled"
    doc = offerings.by_id(db, offering["_id"])
    assert (doc["tokensSold"], doc["raisedAmount"], doc["investorCount"]) == (10 * UNIT, 1_000_00, 1)
    assert listing.listing_state(doc, datetime.now(UTC)) == listing.OPEN  # half sold: not "Closed"
    newcomer = {"_id": None, "isKyc": False}
    assert "KYC" in request_refusal(newcomer, [], {**doc, "identityRegistry": "0x1"}, datetime.now(UTC))

    second = ordering.place(app.config, quick_investor(db, offering), str(offering["_id"]), order_form(10))
    post(admin_client, f"/admin/orders/{second['_id']}/payment", {"amount": "1,015.00"})
    doc = offerings.by_id(db, offering["_id"])
    assert (doc["tokensSold"], doc["raisedAmount"], doc["investorCount"]) == (20 * UNIT, 2_000_00, 2)
    assert listing.is_sold_out(doc) and listing.listing_state(doc, datetime.now(UTC)) == listing.CLOSED


def test_holdings_beyond_2_to_the_63_base_units_are_kept_exact_and_shown(app, db, offering):
    alice = investor_with_wallet(db)
    wallet, token = alice["wallets"][0], "0x" + "e1" * 20
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"tokenAddress": token}})
    balance = 12_345 * UNIT + 5  # 1.2e22 base units
    apply(db, log_message("Transfer", token, {"from": ZERO, "to": wallet, "value": balance}),
          log_message("TokensFrozen", token, {"_userAddress": wallet, "_amount": 3 * UNIT}))
    held = holdings.load(db, token, [wallet])[wallet]
    assert (held["balance"], held["frozen"]) == (balance, 3 * UNIT)
    assert db.holdings.find_one({"_id": f"{token}:{wallet}"})["balance"] == str(balance)
    client = signed_in_client(app, alice)
    assert 'data-testid="balance">12,345.000000000000000005</span>' in client.get("/portfolio/").text
    export = client.get("/portfolio/export/holdings.csv").text
    assert "12345.000000000000000005" in export and "3.000000000000000000" in export


def test_an_18_decimal_stablecoin_payment_is_added_compared_and_settled_to_the_last_base_unit(app, db, offering):
    """Paid and due both past 2**63 (a $1,015 order in an 18-decimal coin is 1.015e21 base units)."""
    user = quick_investor(db, offering)
    order = ordering.place(app.config, user, str(offering["_id"]), order_form(10))
    due = stablecoin_due(order["totalAmount"], 18)
    orders.transition(db, order["_id"], {}, {"paymentMethod": "crypto", "paymentDue": due, "paymentDecimals": 18,
                                             "paymentToken": "0x" + "c0" * 20, "paymentAddress": "0x" + "7e" * 20})

    def transfer(n: int) -> dict:
        return {"kind": "crypto", "txHash": f"0x{n:064x}", "logIndex": 0, "from": user["wallet"]}

    assert settle(app.config, order["_id"], paid_amount=due - 10**16, source=transfer(1)) == "payment_review"
    flagged = orders.get(db, order["_id"])
    assert flagged["paymentFlag"] == "underpaid" and flagged["paidAmount"] == due - 10**16
    assert "0.010000000000000000" in flagged["paymentFlagReason"]  # one cent, exact in an 18-decimal coin
    assert settle(app.config, order["_id"], paid_amount=10**16, source=transfer(2)) == "settled"
    assert settle(app.config, order["_id"], paid_amount=10**16, source=transfer(2)) == "settled"  # a replay
    settled = orders.get(db, order["_id"])
    assert settled["paidAmount"] == due and [p["amount"] for p in settled["payments"]] == [due - 10**16, 10**16]
    assert db.orders.find_one({"_id": order["_id"]})["paidAmount"] == str(due)
    doc = offerings.by_id(db, offering["_id"])
    assert (doc["tokensSold"], doc["raisedAmount"]) == (10 * UNIT, 1_000_00)
