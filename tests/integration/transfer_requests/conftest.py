"""Transfer-request tests: two investors whitelisted for one paused 18-decimal offering, the sender holding tokens
minted on chain and synced into holdings by the real chain monitor and chain-sync."""

from __future__ import annotations

import re

import pytest

from app.chain import agent as ops
from app.chain.wallet import hot_wallet
from tests.fixtures.accounts import csrf, signed_in_client
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.processes import wait_for

DECIMALS = 18
MINTED = 10 * 10 ** DECIMALS


def form(client, path: str, data: dict | None = None):
    """POST a form with the session's CSRF token (read from a page, as a browser would)."""
    return client.post(path, data={"csrf_token": csrf(client, "/auth/account"), **(data or {})})


def unique_id(client) -> str:
    """The Libertum ID the investor's transfers page shows them, asked for first (asking again changes nothing)."""
    assert form(client, "/account/transfers/id").status_code == 303
    return re.search(r'data-testid="unique-id">(LIB-[A-Z0-9-]+)<', client.get("/account/transfers/").text).group(1)


def synced(db, token: str, wallet: str, balance: int):
    return wait_for(lambda: db.holdings.find_one({"_id": f"{token}:{wallet}", "balance": str(balance)}),
                    timeout=90, what=f"the holding of {wallet} synced at {balance}")


@pytest.fixture
def pair(app, db, platform, chain_workers):
    """A sender holding MINTED base units and a recipient, both whitelisted for the offering, each signed in."""
    offering = live_offering(app, platform, details={"tokenDecimals": DECIMALS, "tokenTicker": "HBL"})
    sender = approved_investor(app, platform, offering)
    recipient = approved_investor(app, platform, offering, country="FR")
    hot = hot_wallet(app.config)
    ops.mint(hot.w3, hot.account, offering["tokenAddress"], sender["account"].address, MINTED)
    synced(db, offering["tokenAddress"], sender["account"].address, MINTED)
    return {"offering": offering, "sender": sender, "recipient": recipient,
            "sender_client": signed_in_client(app, sender), "recipient_client": signed_in_client(app, recipient),
            "position": f"{offering['_id']}|{sender['account'].address}"}
