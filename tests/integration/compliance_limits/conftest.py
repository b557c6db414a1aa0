"""The compliance limits tests' staff member and deployed, held offering."""

from __future__ import annotations

import pytest

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.domain.platform.chain import current_platform
from tests.fixtures.accounts import post
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.processes import wait_for

UNIT = 10**18


@pytest.fixture
def staff(auth):
    return auth("subadmin", permissions=["offerings"])


@pytest.fixture
def held(app, platform, chain_workers, db):
    """A deployed 18-decimal offering (investor cap, max balance and lock-up modules bound, no supply cap) whose two
    investors hold 3 and 1.5 tokens, minted on chain and projected by chain-sync."""
    offering = live_offering(app, platform, countries=("GB",), title="Limits Quay", details={"tokenDecimals": 18})
    wallet = hot_wallet(app.config)
    holders = []
    for amount in (3 * UNIT, 3 * UNIT // 2):
        investor = approved_investor(app, platform, offering)
        address = investor["account"].address
        ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], address, amount)
        wait_for(lambda a=address, n=amount: (db.holdings.find_one({"token": offering["tokenAddress"], "wallet": a})
                                              or {}).get("balance") == str(n), what="chain-sync to project the mint")
        holders.append(investor)
    return {"offering": offering, "oid": str(offering["_id"]), "holders": holders}


def suite(app, offering: dict):
    w3 = hot_wallet(app.config).w3
    compliance = contract(w3, "Token", offering["tokenAddress"]).functions.compliance().call()
    return w3, current_platform(app.config), compliance


def change(client, oid: str, **typed):
    return post(client, f"/admin/offerings/{oid}/compliance-limits", {"reason": "Board decision 12", **typed})
