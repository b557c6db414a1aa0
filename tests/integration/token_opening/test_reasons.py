"""An open token whose holder still cannot move everything: the portfolio names the lock-up with its release date
(read from the lock-up module on anvil) and the part the agent froze (projected by chain-sync), in plain words."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from app.chain import agent as ops
from app.chain.suite import deploy_token_suite
from app.chain.wallet import hot_wallet
from app.data import chain_contracts
from app.formatting import dates
from tests.factories import list_offering, offering_doc
from tests.fixtures.chain import approved_investor
from tests.fixtures.processes import wait_for

DAY = 86400
UNIT = 10**18


def test_portfolio_names_the_lockup_until_its_date_and_the_frozen_part(app, db, auth, platform, chain_workers):
    wallet = hot_wallet(app.config)
    suite = deploy_token_suite(wallet.w3, wallet.account, platform, salt=f"open-{secrets.token_hex(6)}",
                               name="Locked Quay", symbol="LKQ", decimals=18, owner=wallet.account.address,
                               agents=[wallet.account.address], authorized_countries=[826], max_balance=0,
                               supply_cap=0, lockup_seconds=30 * DAY)
    chain_contracts.add(db, wallet.w3.eth.chain_id, {suite["token"]: "suite", suite["identityRegistry"]: "suite"},
                        source="test")
    offering = list_offering(db, offering_doc(title="Locked Quay", tokenAddress=suite["token"],
                                              identityRegistry=suite["identityRegistry"],
                                              details={"tokenDecimals": 18, "authorizedCountries": ["GB"]}))
    investor = approved_investor(app, platform, offering)
    address = investor["account"].address
    ops.unpause(wallet.w3, wallet.account, suite["token"])
    ops.mint(wallet.w3, wallet.account, suite["token"], address, 10 * UNIT)
    minted_at = wallet.w3.eth.get_block("latest")["timestamp"]
    ops.freeze_partial_tokens(wallet.w3, wallet.account, suite["token"], address, 2 * UNIT)
    wait_for(lambda: (db.holdings.find_one({"token": suite["token"], "wallet": address}) or {}).get(
        "frozen") == str(2 * UNIT), what="chain-sync to project the mint and the freeze")
    wait_for(lambda: db.offerings.find_one({"_id": offering["_id"]}).get("tokenOpenedAt"),
             what="chain-sync to note the opening")

    page = auth(user=investor).get("/portfolio/").text
    release = dates.when(datetime.fromtimestamp(minted_at + 30 * DAY, UTC))
    assert "Cannot move yet" in page
    assert f"Your tokens are locked up until {release}." in page
    assert "2 of your tokens are frozen by the issuer&#39;s agent." in page
    assert "not open for transfers" not in page
