"""Settlement's promises on the real database: once per payment, once per order, flags an admin decides."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from bson import ObjectId
from eth_account import Account

from app.chain.events import EventDecoder
from app.data import offerings as offering_docs
from app.data import orders as order_docs
from app.domain.payments.rules import PaymentRefused
from app.domain.payments.settlement import resolve_flag, settle
from app.events.handlers import apply_chain_messages
from tests.fixtures.payment_suite import UNIT, Investor


def fiat(order, by, **extra):
    return {"kind": "fiat", "reference": order["paymentReference"], "by": by["_id"], **extra}


def payment_message(w3, receipt) -> dict:
    """The message the chain monitor publishes for this transfer (decoded log, event id, payments stream)."""
    event = EventDecoder().decode(receipt["logs"][0])
    return {"id": f"{w3.eth.chain_id}:{event['blockHash']}:{event['logIndex']}", "kind": "log",
            "chainId": w3.eth.chain_id, **event, "stream": "payments"}


def test_a_fiat_payment_marked_twice_settles_and_counts_once(app, db, offering, investor, place, admin):
    ivy = investor()
    order = place(ivy, 4, method="fiat")
    for _ in range(3):
        outcome = settle(app.config, order["_id"], paid_amount=order["totalAmount"], source=fiat(order, admin))
        assert outcome == "settled"
    doc = order_docs.get(db, order["_id"])
    assert doc["paidAmount"] == order["totalAmount"] and len(doc["payments"]) == 1 and doc["isSettled"]
    offering_doc = offering_docs.by_id(db, offering)
    assert (offering_doc["raisedAmount"], offering_doc["tokensSold"], offering_doc["investorCount"]) == (
        40_000, 4 * UNIT, 1)
    assert offering_doc.get("raiseOrderIds") == []
    assert db.outbox.count_documents({"to": ivy.user["email"], "subject": "Libertum: Payment received"}) == 1
    assert db.auditLogs.count_documents({"event": "payment.settled"}) == 1


def test_a_second_order_of_the_same_investor_is_not_a_second_investor(app, db, offering, investor, place, admin):
    ivy, ian = investor(), investor()
    for who, quantity in ((ivy, 1), (ivy, 2), (ian, 3)):
        order = place(who, quantity, method="fiat")
        settle(app.config, order["_id"], paid_amount=order["totalAmount"], source=fiat(order, admin))
    offering_doc = offering_docs.by_id(db, offering)
    assert (offering_doc["investorCount"], offering_doc["tokensSold"]) == (2, 6 * UNIT)


def test_a_fiat_shortfall_is_topped_up_by_a_second_bank_transfer(app, db, offering, investor, place, admin):
    order = place(investor(), 1, method="fiat")
    first = settle(app.config, order["_id"], paid_amount=9_000, source=fiat(order, admin, transferId="bank-1"))
    assert first == "payment_review"
    assert order_docs.get(db, order["_id"])["paymentFlagReason"] == \
        "Received $90 of $103: $13 is still due."
    assert settle(app.config, order["_id"], paid_amount=1_300, source=fiat(order, admin, transferId="bank-2")) == \
        "settled"


def test_a_refused_overpayment_is_returned_and_the_order_waits_for_the_right_amount(app, db, offering, investor,
                                                                                    place, admin):
    order = place(investor(), 1, method="fiat")
    assert settle(app.config, order["_id"], paid_amount=20_000, source=fiat(order, admin, transferId="t1")) == \
        "payment_review"
    with pytest.raises(PermissionError):
        resolve_flag(app.config, order["_id"], {"_id": admin["_id"], "userType": "investor"}, accept=True, reason="x")
    with pytest.raises(PaymentRefused, match="Give a reason"):
        resolve_flag(app.config, order["_id"], admin, accept=False, reason=" ")
    assert resolve_flag(app.config, order["_id"], admin, accept=False, reason="Paid twice by mistake.") == \
        "pending_payment"
    doc = order_docs.get(db, order["_id"])
    assert doc["paidAmount"] == 0 and doc["paymentFlag"] is None and doc["resolutions"][0]["accepted"] is False
    assert settle(app.config, order["_id"], paid_amount=10_300, source=fiat(order, admin, transferId="t2")) == "settled"
    assert offering_docs.by_id(db, offering)["raisedAmount"] == 10_000


def test_no_payment_is_taken_by_a_cancelled_order_or_in_a_bad_amount(app, db, offering, investor, place, admin):
    order = place(investor(), 1, method="fiat")
    for bad in (0, -5, 10.5):
        with pytest.raises(PaymentRefused, match="positive"):
            settle(app.config, order["_id"], paid_amount=bad, source=fiat(order, admin))
    db.orders.update_one({"_id": order["_id"]}, {"$set": {"status": "cancelled"}})
    with pytest.raises(PaymentRefused, match=r"This order is cancelled and takes no payment\."):
        settle(app.config, order["_id"], paid_amount=10_300, source=fiat(order, admin))


def test_a_replayed_transfer_event_settles_once(app, db, offering, investor, place, pay, hot):
    ivy = investor()
    order = place(ivy, 2)
    message = payment_message(hot.w3, pay(ivy.account, order["paymentDue"]))
    assert apply_chain_messages(db, [message, message]) == []
    assert apply_chain_messages(db, [message]) == []
    source = {"kind": "crypto", "txHash": message["transactionHash"], "logIndex": message["logIndex"],
              "from": ivy.address}
    assert settle(app.config, order["_id"], paid_amount=order["paymentDue"], source=source) == "settled"
    doc = order_docs.get(db, order["_id"])
    assert doc["paidAmount"] == order["paymentDue"] and len(doc["payments"]) == 1
    assert offering_docs.by_id(db, offering)["tokensSold"] == 2 * UNIT
    assert db.holdings.count_documents({}) == 0, "a payment is not a token holding"


def test_a_payment_dropped_by_a_reorg_flags_its_order_until_it_is_back(app, db, offering, investor, place, pay, hot,
                                                                        admin):
    ivy = investor()
    order = place(ivy, 1)
    message = payment_message(hot.w3, pay(ivy.account, order["paymentDue"]))
    apply_chain_messages(db, [message])
    retraction = {"id": f"retract:{message['chainId']}:{message['blockHash']}:{message['address']}",
                  "kind": "retract", "chainId": message["chainId"], "address": message["address"],
                  "blockHash": message["blockHash"], "blockNumber": message["blockNumber"], "stream": "payments"}
    assert apply_chain_messages(db, [retraction, retraction]) == []
    doc = order_docs.get(db, order["_id"])
    assert doc["status"] == "settled" and doc["paymentFlag"] == "reorged", "flagged, never un-settled silently"
    assert db.payments.find_one({"orderId": order["_id"]})["status"] == "retracted"
    assert db.auditLogs.count_documents({"event": "payment.retracted"}) == 1

    apply_chain_messages(db, [message])  # the same log back on the canonical chain
    doc = order_docs.get(db, order["_id"])
    assert doc["paymentFlag"] is None and doc["paidAmount"] == order["paymentDue"]
    assert offering_docs.by_id(db, offering)["tokensSold"] == UNIT


def test_an_open_order_whose_payment_was_dropped_waits_for_an_admin(app, db, offering, investor, place, pay, hot,
                                                                     admin):
    ivy = investor()
    order = place(ivy, 1)
    message = payment_message(hot.w3, pay(ivy.account, order["paymentDue"] - 1))
    apply_chain_messages(db, [message])
    apply_chain_messages(db, [{"id": "retract:x", "kind": "retract", "chainId": message["chainId"],
                               "address": message["address"], "blockHash": message["blockHash"],
                               "blockNumber": message["blockNumber"], "stream": "payments"}])
    doc = order_docs.get(db, order["_id"])
    assert (doc["status"], doc["paymentFlag"]) == ("payment_review", "reorged")
    with pytest.raises(PaymentRefused, match="only be acknowledged"):
        resolve_flag(app.config, order["_id"], admin, accept=False, reason="gone")
    assert resolve_flag(app.config, order["_id"], admin, accept=True, reason="Checked on chain") == "payment_review"
    assert order_docs.get(db, order["_id"])["paymentFlag"] == "underpaid"


def test_concurrent_settlements_count_every_order_and_investor_once(app, db, offering, place, admin):
    """An admin and chain-sync (or two admins) at once: FerretDB v1 would lose an `$inc` without settlement's locks."""
    people = []
    for n in range(4):
        user = {"_id": ObjectId(), "email": f"c{n}@example.com", "userType": "investor"}
        db.users.insert_one(user)
        people.append(Investor(user, Account.create()))
    orders = [place(people[n % 4], 1 + n, method="fiat") for n in range(12)]

    def pay(order):
        with app.app_context():
            return settle(app.config, order["_id"], paid_amount=order["totalAmount"], source=fiat(order, admin))

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(pay, orders * 3))
    assert set(outcomes) == {"settled"}
    offering_doc = offering_docs.by_id(db, offering)
    assert offering_doc["tokensSold"] == sum(range(1, 13)) * UNIT
    assert offering_doc["raisedAmount"] == sum(range(1, 13)) * 10_000
    assert offering_doc["investorCount"] == 4
    assert all(len(o["payments"]) == 1 for o in db.orders.find({"offeringId": offering}))
