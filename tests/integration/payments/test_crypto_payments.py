"""Stablecoin payments end to end: a real transfer on anvil, the real monitor, Kafka and chain-sync, then minting."""

from __future__ import annotations

import uuid

import pytest
from bson import ObjectId

from app.chain.artifacts import contract
from app.chain.suite import deploy_token_suite
from app.data import offerings as offering_docs
from app.data import orders as order_docs
from app.domain.offerings.deployment import salt_hash
from app.domain.payments import stablecoin as payments
from app.domain.payments.settlement import resolve_flag
from tests.fixtures.chain import reorg_chain, snapshot_chain, start_worker
from tests.fixtures.payment_suite import UNIT
from tests.fixtures.processes import stop_process, wait_for


def order_status(db, order_id, *statuses):
    doc = order_docs.get(db, order_id)
    return doc if doc["status"] in statuses else None


def test_paying_the_exact_amount_settles_then_mints_to_the_wallet(app, db, chain_workers, offering, suite, investor,
                                                                  place, pay, hot, services, tmp_path):
    ivy = investor()
    order = place(ivy, 7)
    assert order["paymentAddress"] == payments.treasury(app.config)
    assert order["paymentDue"] == order["totalAmount"] * 10**4  # 6 decimals: cents * 10**4
    pay(ivy.account, order["paymentDue"])
    settled = wait_for(lambda: order_status(db, order["_id"], "settled", "minted"), what="the order settled")
    assert settled["isSettled"] and settled["paidAmount"] == order["paymentDue"]
    offering_doc = offering_docs.by_id(db, offering)
    assert (offering_doc["raisedAmount"], offering_doc["tokensSold"], offering_doc["investorCount"]) == (
        70_000, 7 * UNIT, 1)
    assert db.payments.find_one({"orderId": order["_id"]})["status"] == "matched"

    worker = start_worker(services, tmp_path, "worker")
    try:
        minted = wait_for(lambda: order_status(db, order["_id"], "minted"), timeout=60, what="the order minted")
    finally:
        stop_process(worker)
    token = contract(hot.w3, "Token", suite["token"])
    assert token.functions.balanceOf(ivy.address).call() == 7 * UNIT  # 18 decimals: past 2**63
    assert minted["isMinted"] and minted["orderMinted"] and minted["tx_hash"]
    assert hot.w3.eth.get_transaction_receipt(minted["tx_hash"])["status"] == 1
    subjects = [m["subject"] for m in db.outbox.find({"to": ivy.user["email"]})]
    wait_for(lambda: "Libertum: Your tokens are minted" in
             [m["subject"] for m in db.outbox.find({"to": ivy.user["email"]})], what="the minted mail")
    assert "Libertum: Payment received" in subjects


def test_underpayment_is_flagged_then_a_top_up_settles_it(app, db, chain_workers, offering, investor, place, pay):
    ivy = investor()
    order = place(ivy, 2)
    due = order["paymentDue"]
    pay(ivy.account, due - 5_000_000)
    flagged = wait_for(lambda: order_status(db, order["_id"], "payment_review"), what="the underpayment flagged")
    assert flagged["paymentFlag"] == "underpaid"
    assert flagged["paymentFlagReason"] == "Received 201.000000 tUSD of 206.000000 tUSD: 5.000000 tUSD is still due."
    pay(ivy.account, 5_000_000)
    settled = wait_for(lambda: order_status(db, order["_id"], "settled"), what="the top-up settling it")
    assert settled["paidAmount"] == due and settled["paymentFlag"] is None and len(settled["payments"]) == 2


def test_overpayment_is_flagged_never_accepted_until_an_admin_decides(app, db, chain_workers, offering, investor,
                                                                      place, pay, admin):
    ivy = investor()
    order = place(ivy, 1)
    pay(ivy.account, order["paymentDue"] + 1)
    flagged = wait_for(lambda: order_status(db, order["_id"], "payment_review"), what="the overpayment flagged")
    assert flagged["paymentFlag"] == "overpaid" and not flagged.get("isSettled")
    assert offering_docs.by_id(db, offering)["raisedAmount"] == 0
    assert resolve_flag(app.config, order["_id"], admin, accept=True, reason="Excess refunded by bank") == "settled"
    assert offering_docs.by_id(db, offering)["raisedAmount"] == 10_000


def test_a_transfer_from_another_wallet_settles_nothing_and_is_kept_for_an_admin(app, db, chain_workers, offering,
                                                                                   investor, place, pay, admin):
    ivy, stranger = investor(), investor()
    order = place(ivy, 1)
    pay(stranger.account, order["paymentDue"])
    unmatched = wait_for(lambda: db.payments.find_one({"from": stranger.address, "status": "unmatched"}),
                         what="the stranger's transfer recorded as unmatched")
    assert unmatched["amount"] == str(order["paymentDue"]) and "orderId" not in unmatched
    assert [p["_id"] for p in payments.unmatched_transfers(app.config, admin)] == [unmatched["_id"]]
    with pytest.raises(PermissionError):
        payments.unmatched_transfers(app.config, ivy.user)
    assert order_docs.get(db, order["_id"])["status"] == "pending_payment"


def test_two_orders_paid_in_reverse_order_each_settle_by_their_exact_amount(app, db, chain_workers, offering,
                                                                             investor, place, pay):
    ivy = investor()
    first, second = place(ivy, 1, minutes=0), place(ivy, 3, minutes=1)
    pay(ivy.account, second["paymentDue"])
    pay(ivy.account, first["paymentDue"])
    for order in (first, second):
        wait_for(lambda o=order: order_status(db, o["_id"], "settled"), what="both orders settled")
    assert offering_docs.by_id(db, offering)["investorCount"] == 1


def test_an_offering_deployed_on_chain_gets_the_treasury_as_receiving_address(app, db, chain_workers, platform, hot):
    offering_id, salt = ObjectId(), f"pay-{uuid.uuid4().hex[:10]}"
    db.offerings.insert_one({"_id": offering_id, "status": "deploying", "deploySaltHash": salt_hash(salt)})
    suite = deploy_token_suite(hot.w3, hot.account, platform, salt=salt, name="Deployed Flats", symbol="DEP",
                               decimals=0, owner=hot.account.address, agents=[hot.account.address],
                               authorized_countries=[], max_balance=0, supply_cap=0)
    doc = wait_for(lambda: db.offerings.find_one({"_id": offering_id, "paymentAddress": {"$exists": True}}),
                   what="the synced deployment opening the offering for payments")
    assert doc["tokenAddress"] == suite["token"] and doc["paymentAddress"] == payments.treasury(app.config)


def test_a_payment_whose_block_a_reorg_drops_flags_the_settled_order(app, db, chain_workers, offering, investor,
                                                                      place, pay, hot):
    ivy = investor()
    order = place(ivy, 1)
    snapshot = snapshot_chain(hot.w3)
    pay(ivy.account, order["paymentDue"])
    wait_for(lambda: order_status(db, order["_id"], "settled"), what="the order settled")
    reorg_chain(hot.w3, snapshot, nonces=hot.nonces)  # drops the payment and whatever was mined since (the mint, ...)
    flagged = wait_for(lambda: order_docs.decoded(db.orders.find_one({"_id": order["_id"], "paymentFlag": "reorged"})),
                       what="the order flagged after the reorg")
    assert flagged["status"] == "settled" and "dropped by a chain reorganisation" in flagged["paymentFlagReason"]
    assert db.payments.find_one({"orderId": order["_id"]})["status"] == "retracted"
    assert db.holdings.count_documents({}) == 0
