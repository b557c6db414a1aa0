"""An unmatched stablecoin transfer through the real chain, monitor, Kafka and chain-sync, decided by an admin."""

from __future__ import annotations

from app.data import offerings as offering_docs
from app.data import orders as order_docs
from app.domain.payments import review as transfer_review
from tests.fixtures.payment_suite import UNIT
from tests.fixtures.processes import wait_for


def test_a_payment_sent_before_the_order_is_matched_by_an_admin_and_counted_once(app, db, chain_workers, offering,
                                                                                  investor, place, pay, admin):
    ivy = investor()
    due = (3 * 10_000 + 3 * 10_000 * 3 // 100) * 10**4  # 3 tokens at $100 + 3 % fee, in tUSD base units
    receipt = pay(ivy.account, due)
    transfer = wait_for(lambda: db.payments.find_one({"from": ivy.address, "status": "unmatched"}),
                        what="the early transfer kept as unmatched")
    assert transfer["txHash"] == receipt["transactionHash"].to_0x_hex()
    order = place(ivy, 3)
    assert order["paymentDue"] == due
    [row] = transfer_review.review_page(app.config, admin)["transfers"]
    assert row["_id"] == transfer["_id"] and [o["id"] for o in row["orders"]] == [str(order["_id"])]

    assert transfer_review.match(app.config, admin, transfer["_id"], str(order["_id"])) == "settled"
    doc = order_docs.get(db, order["_id"])
    assert doc["paidAmount"] == due and len(doc["payments"]) == 1 and doc["isSettled"]
    assert offering_docs.by_id(db, offering)["tokensSold"] == 3 * UNIT
    assert db.payments.find_one({"_id": transfer["_id"]})["status"] == "matched"
    assert transfer_review.review_page(app.config, admin)["transfers"] == []
