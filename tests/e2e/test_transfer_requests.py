"""A lost-wallet recovery in Chromium: the investor proves a new wallet with the browser wallet (EIP-4361), asks
on Your transfers to recover the holding of the lost one, the offering's transfer agent (who holds no Transfers
permission) approves it in the back office, and the investor watches the request complete and the tokens sit
in the new wallet, as balanceOf reports on chain. The page also passes axe and fits a 390-px phone."""

from __future__ import annotations

import re

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.data.mongo import get_db
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_investment_journey import PROVIDER, make_staff, reload_until, sign_in, staff_page
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.processes import wait_for

pytestmark = pytest.mark.e2e
TOKENS, DECIMALS = 7, 18


def test_a_transfer_agent_approves_a_lost_wallet_recovery_and_the_investor_sees_the_new_wallet_hold_the_tokens(
        page: Page, browser: Browser, app, live_server, services, platform, platform_processes):
    agent = make_staff("subadmin", "recovery-agent@transfer.example", ["offerings"])
    offering = live_offering(app, platform, countries=("GB",), title="Harbour Lofts",
                             details={"taId": agent["_id"], "isTransferAgent": True, "tokenDecimals": DECIMALS})
    investor = approved_investor(app, platform, offering)
    lost = investor["account"].address
    hot = hot_wallet(app.config)
    ops.mint(hot.w3, hot.account, offering["tokenAddress"], lost, TOKENS * 10**DECIMALS)
    wait_for(lambda: get_db(app.config).holdings.find_one({"_id": f"{offering['tokenAddress']}:{lost}",
                                                           "balance": str(TOKENS * 10**DECIMALS)}),
             timeout=90, what="the minted holding synced")

    new = Account.create()  # the investor's new browser wallet
    page.expose_function("__testWalletSign", lambda message_hex: "0x" + bytes(
        new.sign_message(encode_defunct(hexstr=message_hex)).signature).hex())
    page.add_init_script(f"window.__testWalletAddress = '{new.address.lower()}';" + PROVIDER)
    sign_in(page, live_server, investor["email"])
    page.goto(live_server + "/onboarding/")
    page.get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#wallet-result")).to_have_text(f"Wallet {new.address} is verified.")

    page.goto(live_server + "/account/transfers/")
    page.get_by_label("Holding of the lost wallet").select_option(label=f"Harbour Lofts: {TOKENS} tokens in {lost}")
    page.get_by_label("New wallet (proven by your signature)").select_option(new.address)
    page.get_by_label("What happened (optional)").fill("Phone lost on the train")
    page.get_by_role("button", name="Request the recovery").click()
    expect(page.get_by_text("Recovery requested")).to_be_visible()
    expect(page.get_by_test_id("request-status").first).to_have_text("Waiting for approval")

    staff = staff_page(browser, live_server, "recovery-agent@transfer.example")
    staff.goto(live_server + "/admin/transfers/")
    staff.get_by_role("link", name=re.compile(investor["legalFullName"])).first.click()
    expect(staff.locator("#transfer-status")).to_have_text("Waiting for approval")
    staff.get_by_label("Remark (optional)").fill("Identity checked by video call")
    staff.get_by_role("button", name="Approve and execute").click()
    expect(staff.get_by_text("Approved; the transfer is being executed on chain.")).to_be_visible()
    staff.context.close()

    reload_until(page, page.get_by_test_id("request-status"), "Completed")
    expect(page.locator("#transfer-requests")).to_contain_text("Identity checked by video call")
    reload_until(page, page.locator("#recovery-position option"), f"{TOKENS} tokens in {new.address}")
    token = contract(Web3(Web3.HTTPProvider(services["ETH_RPC_URL"])), "Token", offering["tokenAddress"])
    assert (token.functions.balanceOf(new.address).call(), token.functions.balanceOf(lost).call()) == (
        TOKENS * 10**DECIMALS, 0)
    page.goto(live_server + "/onboarding/")
    expect(page.locator("#wallet-list")).to_contain_text(f"{new.address} verified identity {investor['identity']}")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/account/transfers/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []
