"""The back office's unmatched stablecoin transfers: listed, matched to an open order of the sender through
settlement (counted once), or set aside for refund with a reason; every decision audited.

The transfers arrive as chain-sync hands them to app.domain.payments.stablecoin.apply_transfer (a decoded
Transfer log); tests/integration/payments covers the chain, monitor and Kafka path to it.
"""

from __future__ import annotations

import html
import secrets

import pytest

from app.data import offerings as offering_docs
from app.data import orders as order_docs
from app.domain.orders import placement as ordering
from app.domain.payments import stablecoin as payments
from app.domain.platform.chain import current_platform
from tests.fixtures.accounts import login, make_user, post
from tests.fixtures.orders import order_form, quick_investor


@pytest.fixture
def crypto_offering(app, db, platform, offering):
    """The order tests' offering, paid in the platform's Test USD to the treasury (as chain-sync opens it)."""
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"paymentAddress": payments.treasury(app.config)}})
    return offering_docs.by_id(db, offering["_id"])


def transfer(app, sender: str, amount: int, *, to: str | None = None) -> dict:
    """A Test USD Transfer log as chain-sync decodes it."""
    coin = current_platform(app.config)["stablecoin"]
    return {"address": coin["address"], "transactionHash": "0x" + secrets.token_hex(32), "logIndex": 2,
            "blockNumber": 4242, "args": {"from": sender, "to": to or payments.treasury(app.config), "value": amount}}


def key_of(event: dict) -> str:
    return f"crypto:{event['transactionHash']}:{event['logIndex']}"


def crypto_order(app, investor: dict, offering: dict, tokens: int) -> dict:
    return ordering.place(app.config, investor, str(offering["_id"]), order_form(tokens, method="crypto"))


def test_a_transfer_sent_before_its_order_is_matched_by_an_admin_and_counted_once(app, db, crypto_offering,
                                                                                   admin_client):
    ivy = quick_investor(db, crypto_offering)
    paid_early = transfer(app, ivy["wallet"], 2_030_00 * 10**4)  # 20 tokens at $100 + 1.5 % fee, before ordering
    assert payments.apply_transfer(app.config, paid_early) == "unmatched"
    order = crypto_order(app, ivy, crypto_offering, 20)
    assert order["paymentDue"] == 2_030_00 * 10**4

    page = admin_client.get("/admin/orders/transfers")
    assert page.status_code == 200 and page.text.count('data-testid="transfer"') == 1
    for shown in (ivy["wallet"], paid_early["transactionHash"], "2,030.000000 tUSD", order["paymentReference"],
                  "no open crypto order of this wallet fits this transfer"):
        assert shown in page.text
    matched = post(admin_client, f"/admin/orders/transfers/{key_of(paid_early)}/match", {"order": str(order["_id"])})
    assert matched.status_code == 303
    answer = admin_client.get(matched.headers["Location"]).text
    assert "Transfer matched. Order status: Paid, minting." in answer

    def settled_once():
        doc = order_docs.get(db, order["_id"])
        assert doc["status"] == "settled" and doc["paidAmount"] == order["paymentDue"] and len(doc["payments"]) == 1
        assert offering_docs.by_id(db, crypto_offering["_id"])["raisedAmount"] == 2_000_00
    settled_once()
    assert db.payments.find_one({"_id": key_of(paid_early)})["status"] == "matched"
    again = post(admin_client, f"/admin/orders/transfers/{key_of(paid_early)}/match", {"order": str(order["_id"])})
    assert again.status_code == 422 and "This transfer is matched already" in again.text
    assert payments.apply_transfer(app.config, paid_early) == "settled"  # chain-sync replaying the same log
    settled_once()
    audited = {"event": "payment.matched_by_admin", "details.payment": key_of(paid_early)}
    assert db.auditLogs.count_documents(audited) == 1
    assert 'data-testid="transfer"' not in admin_client.get("/admin/orders/transfers").text


def test_a_transfer_pays_only_an_open_stablecoin_order_of_its_sender(app, db, crypto_offering, admin_client):
    ivy, other = quick_investor(db, crypto_offering), quick_investor(db, crypto_offering)
    event = transfer(app, ivy["wallet"], 1_015_00 * 10**4)
    payments.apply_transfer(app.config, event)
    url = f"/admin/orders/transfers/{key_of(event)}/match"
    cases = [(crypto_order(app, other, crypto_offering, 10), "This order is not the sender's"),
             (ordering.place(app.config, ivy, str(crypto_offering["_id"]), order_form(10)),
              "This order is paid by bank transfer")]
    cancelled = crypto_order(app, ivy, crypto_offering, 10)
    ordering.cancel(app.config, ivy, str(cancelled["_id"]))
    cases.append((cancelled, "This order is cancelled and takes no further payment."))
    for order, reason in cases:
        refused = post(admin_client, url, {"order": str(order["_id"])})
        assert refused.status_code == 422 and reason in html.unescape(refused.text)
        assert order_docs.get(db, order["_id"])["paidAmount"] == 0
    assert post(admin_client, url, {"order": ""}).status_code == 422
    assert db.payments.find_one({"_id": key_of(event)})["status"] == "unmatched"
    assert "This wallet has no open stablecoin order this transfer could pay." in admin_client.get(
        "/admin/orders/transfers").text


def test_a_short_transfer_matched_by_hand_flags_the_order_and_the_investor_sees_the_rest(app, db, crypto_offering,
                                                                                        investor, admin_client):
    event = transfer(app, investor["wallet"], 500_00 * 10**4)
    payments.apply_transfer(app.config, event)
    order = crypto_order(app, investor, crypto_offering, 10)
    post(admin_client, f"/admin/orders/transfers/{key_of(event)}/match", {"order": str(order["_id"])})
    doc = order_docs.get(db, order["_id"])
    assert doc["status"] == "payment_review" and doc["paymentFlag"] == "underpaid"
    page = investor["client"].get(f"/orders/{order['_id']}").text
    assert "Your payment is being reviewed: Received 500.000000 tUSD of 1,015.000000 tUSD: 515.000000 tUSD is " \
           "still due." in page and "due.." not in page
    assert "How to pay the rest" in page and "515.000000 USD stablecoin" in page
    assert f"500.000000 USD stablecoin in transaction <code>{event['transactionHash']}</code>" in page
    assert f'data-amount="{515_00 * 10**4}"' in page and "Cancel order" not in page


def test_a_transfer_marked_for_refund_never_pays_an_order_later(app, db, crypto_offering, admin_client):
    ivy = quick_investor(db, crypto_offering)
    event = transfer(app, ivy["wallet"], 1_015_00 * 10**4)
    payments.apply_transfer(app.config, event)
    url = f"/admin/orders/transfers/{key_of(event)}/refund"
    blank = post(admin_client, url, {"reason": " ", "confirm": "yes"})
    assert blank.status_code == 422 and "Give the reason for the refund." in blank.text

    done = post(admin_client, url, {"reason": "Sent by mistake, per the investor's email", "confirm": "yes"})
    assert done.status_code == 303
    doc = db.payments.find_one({"_id": key_of(event)})
    assert doc["status"] == "refund_due" and doc["refund"]["reason"] == "Sent by mistake, per the investor's email"
    page = admin_client.get("/admin/orders/transfers").text
    assert 'data-testid="transfer"' not in page and page.count('data-testid="refund-row"') == 1
    assert "Sent by mistake, per the investor&#39;s email" in page

    order = crypto_order(app, ivy, crypto_offering, 10)  # an order it would fit exactly, placed afterwards
    assert payments.apply_transfer(app.config, event) == "refund_due"  # chain-sync replaying the log
    assert order_docs.get(db, order["_id"])["paidAmount"] == 0
    late = post(admin_client, f"/admin/orders/transfers/{key_of(event)}/match", {"order": str(order["_id"])})
    assert late.status_code == 422 and "This transfer is refund due already" in late.text
    assert db.auditLogs.count_documents({"event": "payment.refund_marked", "details.payment": key_of(event)}) == 1


def test_only_staff_with_the_orders_permission_decide_transfers(app, db, crypto_offering, investor):
    event = transfer(app, investor["wallet"], 1_015_00 * 10**4)
    payments.apply_transfer(app.config, event)
    outsider = app.test_client()
    login(outsider, make_user("subadmin", permissions=["kyc", "whitelist"]))
    for client in (investor["client"], outsider):
        assert client.get("/admin/orders/transfers").status_code == 403
        assert post(client, f"/admin/orders/transfers/{key_of(event)}/refund", {"reason": "x"}).status_code == 403
    assert db.payments.find_one({"_id": key_of(event)})["status"] == "unmatched"
    with pytest.raises(PermissionError):
        payments.unmatched_transfers(app.config, investor)


def test_a_match_interrupted_before_settlement_is_listed_and_finished_once(app, db, crypto_offering, admin_client):
    ivy = quick_investor(db, crypto_offering)
    event = transfer(app, ivy["wallet"], 1_015_00 * 10**4)
    payments.apply_transfer(app.config, event)
    order = crypto_order(app, ivy, crypto_offering, 10)
    db.payments.update_one({"_id": key_of(event)}, {"$set": {"status": "matching", "orderId": order["_id"]}})
    page = admin_client.get("/admin/orders/transfers").text  # as a crash between the two writes leaves it
    assert "Matching to an order did not finish" in page and "Mark for refund" not in page
    assert post(admin_client, f"/admin/orders/transfers/{key_of(event)}/refund",
                {"reason": "x", "confirm": "yes"}).status_code == 422
    assert post(admin_client, f"/admin/orders/transfers/{key_of(event)}/match",
                {"order": str(order["_id"])}).status_code == 303
    doc = order_docs.get(db, order["_id"])
    assert doc["status"] == "settled" and len(doc["payments"]) == 1
    assert db.payments.find_one({"_id": key_of(event)})["status"] == "matched"
