"""The platform-held wallet journey in Chromium, with no browser wallet at all (no EIP-1193 provider injected).

An investor passes KYC in the KYC sandbox, presses "Connect wallet" and reads "No browser wallet found", creates
a wallet held by Libertum from the same page, watches its on-chain identity appear, is whitelisted through the
e-signature sandbox, finds stablecoin closed to the held wallet on the order form, orders by bank transfer, an
admin records the payment, and the tokens are minted to the held wallet: the portfolio shows what balanceOf
reports on chain, and says Libertum holds the wallet. Everything runs as `make run` runs it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from app.chain.artifacts import contract
from app.data.mongo import get_db
from app.domain.accounts import service as accounts
from app.domain.portfolio.rules import units
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_investment_journey import PASSWORD, make_staff, pass_kyc, reload_until, sign_in, staff_page
from tests.fixtures.chain import live_offering

pytestmark = pytest.mark.e2e
TOKENS, DECIMALS = 15, 18


def test_an_investor_without_a_browser_wallet_invests_through_a_held_wallet(
        page: Page, browser: Browser, app, live_server, kyc_sandbox, services, platform, platform_processes):
    make_staff("admin", "held-admin@libertum.example", [])
    agent = make_staff("subadmin", "held-agent@transfer.example", ["offerings"])
    offering = live_offering(app, platform, countries=("GB",), unpause=True, title="Harbour Lofts",
                             details={"taId": agent["_id"], "isTransferAgent": True, "tokenDecimals": DECIMALS})
    email = "wren-walletless@example.com"
    accounts.create_account({"email": email, "country_code": "+44", "mobile": "7700900555", "password": PASSWORD,
                             "legal_name": "Wren Walletless", "user_type": "investor", "permissions": []},
                            event="signup")
    sign_in(page, live_server, email)
    pass_kyc(page, live_server, kyc_sandbox, email)

    page.get_by_role("button", name="Connect wallet").click()  # nothing answers: no provider in this browser
    expect(page.locator("#wallet-result")).to_contain_text("No browser wallet found")
    page.get_by_role("button", name="Create a wallet held by Libertum").click()
    expect(page.get_by_role("heading", name="Your wallet held by Libertum")).to_be_visible()
    held = page.locator("#held-address").inner_text()
    assert Web3.is_checksum_address(held)
    reload_until(page, page.locator("#held-identity"), re.compile(r"^0x[0-9a-fA-F]{40}$"))  # the identity job

    page.goto(f"{live_server}/offerings/{offering['_id']}")
    page.get_by_role("link", name="Request whitelisting").click()
    page.get_by_role("button", name="Request whitelisting").click()
    expect(page).to_have_url(re.compile(re.escape(app.config["ESIGN_API_URL"])))
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_test_id("whitelist-stage")).to_contain_text(re.compile("review|approval", re.I),
                                                                   timeout=60_000)
    for staff_email, button in (("held-agent@transfer.example", "Approve as transfer agent"),
                                ("held-admin@libertum.example", "Approve")):
        staff = staff_page(browser, live_server, staff_email)
        staff.goto(live_server + "/admin/whitelist/")
        staff.get_by_role("link", name=re.compile("Wren Walletless")).first.click()
        with staff.expect_navigation():  # the decision's redirect: closing before it can abort or hang
            staff.get_by_role("button", name=button, exact=True).click()
        staff.context.close()
    expect(page.get_by_test_id("whitelist-stage")).to_have_text("Approved", timeout=90_000)

    page.get_by_role("link", name="Order tokens").first.click()
    expect(page.get_by_role("radio", name=re.compile("Stablecoin"))).to_be_disabled()
    expect(page.locator("#held-payment-reason")).to_contain_text("pay by bank transfer")
    page.get_by_label("Number of tokens").fill(str(TOKENS))
    page.get_by_role("button", name="Review order").click()
    page.get_by_role("button", name="Confirm order").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Waiting for your payment")
    order_url, owed = page.url, page.get_by_test_id("bank-amount").inner_text()
    admin = staff_page(browser, live_server, "held-admin@libertum.example")
    admin.goto(live_server + "/admin/orders/" + order_url.rstrip("/").rsplit("/", 1)[1])
    admin.get_by_label(re.compile("Amount received")).fill(owed.replace("$", "").replace(",", ""))
    with admin.expect_navigation():  # the recorded payment's redirect: closing before it can abort or hang
        admin.get_by_role("button", name="Mark payment received").click()
    admin.context.close()
    page.goto(order_url)
    expect(page.get_by_test_id("order-status")).to_contain_text("Tokens minted", timeout=120_000)

    page.goto(live_server + "/portfolio/")
    reload_until(page, page.get_by_test_id("balance"), str(TOKENS))
    expect(page.locator("#held-wallet-note")).to_contain_text(held)
    on_chain = contract(Web3(Web3.HTTPProvider(services["ETH_RPC_URL"])), "Token",
                        offering["tokenAddress"]).functions.balanceOf(held).call()
    assert on_chain == TOKENS * 10**DECIMALS
    assert page.get_by_test_id("balance").first.inner_text() == units(on_chain, DECIMALS)
    assert get_db(app.config).custodyWallets.find_one({"address": held})["userId"]

    page.set_viewport_size({"width": 390, "height": 844})  # the held wallet's pages on a phone, checked by axe too
    for path in ("/onboarding/", "/onboarding/wallets/held", f"/invest/{offering['_id']}/order", "/portfolio/"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert serious_violations(page) == [], path
    expect(page.locator("#held-wallet-note")).to_be_visible()
