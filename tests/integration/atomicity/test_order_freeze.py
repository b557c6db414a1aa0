"""Admins freezing one order's tokens at the same moment: one freeze is recorded, sent and audited.

The chain job's natural key already made their transactions one; without the order's lock on FerretDB
v1 each admin was also told it froze the tokens and each click was audited as a freeze."""

from __future__ import annotations

from bson import ObjectId
from eth_account import Account

from app.domain.orders.review import set_frozen
from app.domain.orders.rules import Refusal
from tests.fixtures.accounts import make_user
from tests.integration.atomicity.conftest import race

ADMINS, ROUNDS = 6, 4


def minted_order(db) -> ObjectId:
    offering_id = ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "tokenAddress": Account.create().address})
    order_id = ObjectId()
    db.orders.insert_one({"_id": order_id, "offeringId": offering_id, "userId": ObjectId(), "status": "minted",
                          "walletAddress": Account.create().address, "quantity": 5, "isSettled": True,
                          "isMinted": True, "isFreezed": False, "paymentMethod": "fiat", "totalAmount": 100})
    return order_id


def test_admins_freezing_at_once_freeze_once(app, db):
    with app.app_context():
        admins = [make_user("subadmin", permissions=["orders"]) for _ in range(ADMINS)]
    for _ in range(ROUNDS):
        order_id = minted_order(db)
        results = race(app, [lambda a=a, o=str(order_id): set_frozen(app.config, a, o, True) for a in admins])
        frozen = [r for r in results if isinstance(r, str)]
        assert len(frozen) == 1, results
        assert all(isinstance(r, Refusal) and "already freezing" in str(r) for r in results if r not in frozen), results
        assert db.chainJobs.count_documents({"orderId": order_id}) == 1
        assert db.auditLogs.count_documents({"event": "order.frozen", "details.orderId": str(order_id)}) == 1
        order = db.orders.find_one({"_id": order_id})
        assert (order["freezePending"], order["freezeVersion"], order["freezeJobId"]) == ("freezing", 1, frozen[0])
