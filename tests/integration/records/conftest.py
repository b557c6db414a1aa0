"""An offering on the live token suite (`suite`, `wallet`, `verified`: tests/fixtures/token_suite.py) and
settled orders of it, for the transactions record's tests."""

from __future__ import annotations

import pytest
from bson import ObjectId

from app.chain.artifacts import contract


@pytest.fixture
def token(wallet, suite):
    return contract(wallet.w3, "Token", suite["token"])


@pytest.fixture
def offering(db, suite):
    offering_id = ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "isActive": True, "tokenAddress": suite["token"],
                             "identityRegistry": suite["identityRegistry"]})
    return offering_id


def settled_orders(db, offering_id, wallets: list[str], quantities: list[int]) -> list[ObjectId]:
    docs = [{"_id": ObjectId(), "offeringId": offering_id, "walletAddress": w, "quantity": q, "isSettled": True,
             "isMinted": False, "status": "settled"} for w, q in zip(wallets, quantities, strict=True)]
    db.orders.insert_many(docs)
    return [d["_id"] for d in docs]
