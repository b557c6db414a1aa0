"""Enforcement cases on the real stack: an 18-decimal token with two whitelisted holders (minted on anvil,
synced into `holdings` by the chain monitor and chain-sync), staff with the `transfers` permission, and the
new-case form posted as a browser posts it (CSRF token, a PDF as evidence)."""

from __future__ import annotations

import io
import re

import pytest
from bson import ObjectId

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from tests.fixtures.accounts import csrf, make_user, signed_in_client
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.processes import wait_for

DECIMALS = 18
TOKEN = 10**DECIMALS
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def book(app, db, platform, chain_workers):
    """An unpaused 18-decimal token; holder `a` holds 10 tokens, holder `b` 5, both synced into holdings."""
    offering = live_offering(app, platform, unpause=True, details={"tokenDecimals": DECIMALS})
    a, b = approved_investor(app, platform, offering), approved_investor(app, platform, offering)
    hot = hot_wallet(app.config)
    for holder, tokens in ((a, 10), (b, 5)):
        ops.mint(hot.w3, hot.account, offering["tokenAddress"], holder["account"].address, tokens * TOKEN)
    for holder, tokens in ((a, 10), (b, 5)):
        address = holder["account"].address
        wait_for(lambda w=address, t=tokens: holding(db, offering, w).get("balance") == str(t * TOKEN), timeout=90,
                 what="the minted holdings synced")
    return {"offering": offering, "a": a, "b": b, "token": contract(hot.w3, "Token", offering["tokenAddress"]),
            "hot": hot}


def staff(app, permissions=("transfers",)):
    """A new sub-admin client with `permissions` (the user as `client.user`)."""
    user = make_user("subadmin", permissions=list(permissions))
    client = signed_in_client(app, user)
    client.user = user
    return client


def holding(db, offering: dict, wallet: str) -> dict:
    return db.holdings.find_one({"_id": f"{offering['tokenAddress']}:{wallet}"}) or {}


def send(client, path: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, read from a back-office page as a browser would."""
    return client.post(path, data={"csrf_token": csrf(client, "/auth/account"), **(data or {})}, **kwargs)


def make_case(client, offering: dict, kind: str, *, evidence: bytes | None = PDF, case_id: str | None = None,
              reason: str = "Court order 2026/114 received by the legal team", **fields):
    """Post the new-case form; the response (303 to the case, or the form again with the refusal)."""
    data = {"case_id": case_id or str(ObjectId()), "kind": kind, "reason": reason, **fields}
    if evidence is not None:
        data["evidence"] = (io.BytesIO(evidence), "order.pdf")
    return send(client, f"/admin/enforcement/new/{offering['_id']}", data, content_type="multipart/form-data")


def case_id_of(response) -> str:
    assert response.status_code == 303, response.text
    return re.search(r"/admin/enforcement/([0-9a-f]{24})$", response.headers["Location"]).group(1)


def decide(client, case_id: str, action: str, **fields):
    return send(client, f"/admin/enforcement/{case_id}/{action}", {"confirm": "yes", **fields})
