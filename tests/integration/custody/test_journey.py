"""The platform-held wallet journey on the real stack: an investor without a browser wallet passes KYC, has
Libertum create a wallet, is whitelisted through the e-signature sandbox (no browser wallet needed), orders with
bank transfer only, the payment is recorded, the tokens are minted to the held wallet by chain jobs on anvil and
synced by chain-monitor and chain-sync, and the portfolio shows what balanceOf reports."""

from __future__ import annotations

import re

import pytest
import requests

from app.chain.artifacts import contract
from app.chain.identity import get_identity
from app.chain.node import web3_client
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import live_offering
from tests.fixtures.processes import run_jobs, wait_for
from tests.integration.custody.conftest import form, walletless_investor

DECIMALS = 18
SIGN_FORM = re.compile(r'action="([^"]+/sign)"')
KEY = re.compile(r'name="key" value="([0-9a-f]{32})"')


@pytest.fixture
def esign_sandbox(app, mail_sandbox, platform_http) -> str:
    """The e-signature sandbox delivering its Connect webhooks to this test's platform over HTTP."""
    base = app.config["ESIGN_API_URL"]
    requests.post(f"{base}/settings", data={"webhookUrl": f"{platform_http}/webhooks/esign/docusign"},
                  timeout=5).raise_for_status()
    return base


def whitelist_through_esign(app, db, browser, offering, address: str) -> None:
    """Request whitelisting, sign in the sandbox, staff approve, the registry admits the wallet on chain."""
    agent, admin = make_user("subadmin", permissions=["offerings"]), make_user("admin")
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.taId": str(agent["_id"])}})
    response = form(browser, f"/invest/{offering['_id']}/whitelist/", {"address": address})
    assert response.status_code == 303, response.text
    signing_url = response.headers["Location"]
    page = requests.get(signing_url, timeout=10).text
    action = requests.compat.urljoin(signing_url, SIGN_FORM.search(page).group(1))
    assert requests.post(action, allow_redirects=False, timeout=10).status_code == 303
    assert run_jobs("esign") == 1
    wid = str(db.whitelists.find_one({"userId": browser.user["_id"]})["_id"])
    assert form(signed_in_client(app, agent), f"/admin/whitelist/{wid}/ta-decision",
                {"decision": "approved"}).status_code == 303
    assert form(signed_in_client(app, admin), f"/admin/whitelist/{wid}/decision",
                {"decision": "approved"}).status_code == 303
    run_jobs("chain")  # the held wallet's identity exists already; the registry's batchRegisterIdentity
    wait_for(lambda: db.whitelists.find_one({"userId": browser.user["_id"], "status": "approved"}),
             what="chain-sync to record the registration")


def test_a_walletless_investor_invests_in_fiat_and_holds_tokens_in_the_held_wallet(
        app, db, platform, esign_sandbox, chain_workers):
    offering = live_offering(app, platform, details={"tokenDecimals": DECIMALS})
    investor = walletless_investor()
    browser = signed_in_client(app, investor)
    browser.user = investor
    assert "Create a wallet held by Libertum" in browser.get("/onboarding/").text
    assert form(browser, "/onboarding/wallets/held").status_code == 303
    held = db.custodyWallets.find_one({"_id": investor["_id"]})["address"]
    run_jobs("chain")  # its ONCHAINID and KYC claim, as for a wallet proven by signature
    w3 = web3_client.get(app.config)
    identity = get_identity(w3, platform, held)
    assert identity

    whitelist_through_esign(app, db, browser, offering, held)
    registry = contract(w3, "IdentityRegistry", offering["identityRegistry"])
    assert registry.functions.isVerified(held).call() and registry.functions.identity(held).call() == identity

    order_page = browser.get(f"/invest/{offering['_id']}/order").text
    assert "held by Libertum" in order_page and "pay by bank transfer" in order_page
    assert re.search(r'value="crypto"[^>]*disabled', order_page)
    key = KEY.search(order_page).group(1)
    crypto = form(browser, f"/invest/{offering['_id']}/order", {"tokens": "12", "method": "crypto", "key": key,
                                                                "wallet": held})
    assert crypto.status_code == 422 and "a stablecoin payment must come from a wallet you control" in crypto.text
    assert db.orders.count_documents({}) == 0
    placed = form(browser, f"/invest/{offering['_id']}/order", {"tokens": "12", "method": "fiat", "key": key,
                                                                "wallet": held})
    assert placed.status_code == 303, placed.text
    order = db.orders.find_one({"userId": investor["_id"]})
    assert (order["walletAddress"], order["paymentMethod"]) == (held, "fiat")

    admin = signed_in_client(app, make_user("admin"))
    total = order["totalAmount"]  # integer cents, typed as the bank statement shows it
    paid = form(admin, f"/admin/orders/{order['_id']}/payment", {"amount": f"{total // 100}.{total % 100:02d}"})
    assert paid.status_code == 303
    assert db.orders.find_one({"_id": order["_id"]})["isSettled"] is True
    run_jobs("chain")  # mint-settled claims the order into a batchMint job, which the same burst runs
    wait_for(lambda: db.orders.find_one({"_id": order["_id"], "isMinted": True}), what="the order marked minted")

    on_chain = contract(w3, "Token", offering["tokenAddress"]).functions.balanceOf(held).call()
    assert on_chain == 12 * 10 ** DECIMALS
    wait_for(lambda: db.holdings.find_one({"_id": f"{offering['tokenAddress']}:{held}", "balance": str(on_chain)}),
             what="the synced holding")
    portfolio = browser.get("/portfolio/").text
    assert re.search(r'data-testid="balance">12</span>', portfolio), portfolio
    assert "Libertum holds your wallet" in portfolio and held in portfolio
