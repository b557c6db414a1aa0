"""End to end on the real chain: settled orders minted by chain jobs on anvil, synced by chain-monitor and
chain-sync, then the portfolio shows the balance the token contract reports."""

from __future__ import annotations

import re

import pytest
from bson import ObjectId

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.data import chain_contracts, user_details
from app.domain.orders.minting import mint_ready_orders
from app.domain.platform import chain_jobs as runner
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.processes import wait_for


@pytest.fixture
def watched_suite(app, db, suite, wallet):
    """The test's suite in the monitor's watch list before `chain_workers` starts it."""
    chain_contracts.add(db, wallet.w3.eth.chain_id, {suite["token"]: "suite", suite["identityRegistry"]: "suite"},
                        source="test")
    return suite


def test_portfolio_shows_the_balance_minted_on_chain(app, db, wallet, watched_suite, chain_workers,
                                                     verified):
    token, w3 = watched_suite["token"], wallet.w3
    investor, address = make_user("investor"), verified()
    user_details.add_verified_wallet(db, investor["_id"], address, "EIP-1193")
    offering = list_offering(db, offering_doc(title="Anvil Court", tokenAddress=token,
                                              identityRegistry=watched_suite["identityRegistry"],
                                              details={"latestNav": 110_00}))
    db.orders.insert_many([{"_id": ObjectId(), "userId": investor["_id"], "offeringId": offering["_id"],
                            "walletAddress": address, "quantity": quantity, "price": 100_00,
                            "amount": quantity * 100_00, "feeAmount": 0, "totalAmount": quantity * 100_00,
                            "paymentMethod": "crypto", "status": "settled", "isSettled": True, "isMinted": False}
                           for quantity in (12, 8)])
    for job_id in mint_ready_orders(app.config, offering["_id"]):
        runner.execute(app.config, job_id)
    ops.freeze_partial_tokens(w3, wallet.account, token, address, 5)
    wait_for(lambda: db.holdings.find_one({"_id": f"{token}:{address}", "frozen": "5"}), what="the synced freeze")
    wait_for(lambda: db.orders.count_documents({"userId": investor["_id"], "isMinted": True}) == 2,
             what="the orders marked minted")

    on_chain = contract(w3, "Token", token).functions.balanceOf(address).call()
    assert on_chain == 20
    client = signed_in_client(app, investor)
    html = client.get("/portfolio/").text
    assert re.search(r'data-testid="balance">(\d+)</span>', html).group(1) == str(on_chain)
    assert "5 frozen" in html and 'data-testid="total-value">$2,200</dd>' in html and "+$200 (+10%)" in html
    transactions = client.get("/portfolio/transactions").text
    mint_hash = db.orders.find_one({"userId": investor["_id"]})["tx_hash"]
    assert mint_hash in transactions and "Tokens frozen" in transactions
    assert client.get("/portfolio/orders").text.count("Minted") == 2
    stored = db.chainEvents.find_one({"transactionHash": mint_hash})
    assert stored["blockTimestamp"] == w3.eth.get_block(stored["blockNumber"])["timestamp"]  # the chart's clock
    chart = client.get("/portfolio/value-chart", headers={"HX-Request": "true"}).text
    assert 'aria-label="Portfolio value over time"' in chart and "$2,200" in chart
