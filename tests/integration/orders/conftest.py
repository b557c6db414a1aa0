"""Order tests: a live offering, approved investors (a whitelist document with status approved, the
precondition the whitelisting flow ends in), signed-in clients, and direct calls of the ordering service."""

from __future__ import annotations

import itertools
import uuid

import pytest
from bson import ObjectId
from eth_account import Account

from app.data import user_details
from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.integration.accounts.conftest import BrowserClient, login, make_user, post

__all__ = ["login", "make_user", "post"]
_mobiles = itertools.count(1)


@pytest.fixture(autouse=True)
def browser_like_clients(app):
    app.test_client_class = BrowserClient


@pytest.fixture
def offering(db):
    """10,000 tokens at $100.00, minimum $1,000 (10 tokens), at most 2,000 tokens per investor, 1.5 % fee."""
    return list_offering(db, offering_doc(fee=150))


def approve(db, user: dict, offering: dict, wallet: str | None = None, status: str = "approved") -> str:
    """Give `user` a verified wallet and a whitelist entry for `offering`; returns the wallet."""
    wallet = wallet or Account.create().address
    user_details.add_verified_wallet(db, user["_id"], wallet, "EIP-1193")
    db.whitelists.insert_one({"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"],
                              "address": wallet, "status": status, "taStatus": "approved", "is_signed": True,
                              "is_expired": False, "whiteListReason": "", "userEmail": user["email"]})
    return wallet


def quick_investor(db, offering: dict | None = None) -> dict:
    """An investor document without a password (for service-level tests: no sign-in needed), approved
    for `offering` when given."""
    n = next(_mobiles)
    user = {"_id": ObjectId(), "email": f"racer{n}-{uuid.uuid4().hex[:6]}@example.com", "userType": "investor",
            "mobile": f"+4479{n:08d}{uuid.uuid4().int % 100:02d}", "isKyc": True, "kycStatus": "approved"}
    db.users.insert_one(user)
    if offering is not None:
        user["wallet"] = approve(db, user, offering)
    return user


def order_form(tokens: int | str = "", amount: str = "", method: str = "fiat", wallet: str = "", key: str = ""):
    return {"tokens": str(tokens), "amount": amount, "method": method, "wallet": wallet,
            "key": key or ordering.new_form_key()}


@pytest.fixture
def investor(app, db, offering):
    """A signed-in, approved investor: the user document with `client` and `wallet`."""
    user = make_user("investor")
    user["wallet"] = approve(db, user, offering)
    client = app.test_client()
    assert login(client, user).status_code == 303
    user["client"] = client
    return user


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    assert login(client, make_user("subadmin", permissions=["orders"])).status_code == 303
    return client
