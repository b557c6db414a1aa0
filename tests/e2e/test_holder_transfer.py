"""In Chromium: an investor sends tokens of an 18-decimal offering to another investor from the portfolio. The
page checks the transfer before signing (an unregistered wallet is refused with the reason), the injected
EIP-1193 wallet (backed by the investor's real key, as in the stablecoin payment journey) signs the token's
transfer, the status page follows it until chain-sync has applied it, and both investors see it: the sender's
portfolio and transactions, and the recipient's. The sender works on a 390-px phone (no sideways scrolling, no
serious axe violation in the check's verdicts)."""

from __future__ import annotations

import re

import pytest
from eth_account import Account
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from app.chain import agent as ops
from app.chain.wallet import hot_wallet
from infra import devchain
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import serious_violations, sign_in

pytestmark = pytest.mark.e2e
DECIMALS = 18

# The same injected wallet as tests/e2e/test_investment_journey.py: accounts and eth_sendTransaction answered by
# the test's key through exposed functions.
PROVIDER = """
window.ethereum = {
  request: async ({ method, params }) => {
    if (method === "eth_requestAccounts" || method === "eth_accounts") { return [window.__testWalletAddress]; }
    if (method === "eth_sendTransaction") { return await window.__testWalletSend(params[0]); }
    throw new Error("unsupported method " + method);
  },
};
"""


def _wallet(page: Page, w3: Web3, account) -> None:
    def send(tx: dict) -> str:
        fields = {"from": account.address, "to": Web3.to_checksum_address(tx["to"]), "data": tx["data"],
                  "nonce": w3.eth.get_transaction_count(account.address), "chainId": w3.eth.chain_id,
                  "gasPrice": w3.eth.gas_price}
        fields["gas"] = w3.eth.estimate_gas(fields)
        return w3.eth.send_raw_transaction(account.sign_transaction(fields).raw_transaction).to_0x_hex()

    page.expose_function("__testWalletSend", send)
    page.add_init_script(f"window.__testWalletAddress = '{account.address.lower()}';" + PROVIDER)


def _fits(page: Page) -> bool:
    """No sideways scrolling of the whole page."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _reload_until(page: Page, locator, text: str, attempts: int = 60) -> None:
    for _ in range(attempts):
        if locator.count() and text in locator.first.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(locator.first).to_contain_text(text)


def test_an_investor_sends_tokens_to_another_and_both_see_it(page: Page, browser: Browser, base_url: str, app,
                                                             services, platform, platform_processes):
    agent = hot_wallet(app.config)
    offering = live_offering(app, platform, unpause=True, title="Harbour Row",
                             details={"tokenDecimals": DECIMALS, "tokenTicker": "HRW"})
    sender, recipient = approved_investor(app, platform, offering), approved_investor(app, platform, offering)
    devchain.fund(services["ETH_RPC_URL"], sender["account"].key.to_0x_hex())  # gas
    ops.mint(agent.w3, agent.account, offering["tokenAddress"], sender["account"].address, 125 * 10**17)  # 12.5
    _wallet(page, agent.w3, sender["account"])
    page.set_viewport_size({"width": 390, "height": 844})  # the sender on a phone

    sign_in(page, base_url, sender["email"])
    page.goto(f"{base_url}/portfolio/")
    _reload_until(page, page.get_by_test_id("balance"), "12.5")
    page.get_by_role("link", name="Send Harbour Row tokens").click()
    expect(page.get_by_role("heading", name="Send tokens")).to_be_visible()

    page.get_by_label("Recipient's wallet address").fill(Account.create().address)
    page.get_by_label(re.compile("Tokens to send")).fill("2.25")
    page.get_by_role("button", name="Check the transfer").click()
    expect(page.get_by_role("heading", name="This transfer would be refused")).to_be_visible()
    expect(page.get_by_test_id("refusals")).to_contain_text("not registered for this token")
    expect(page.get_by_role("button", name="Sign with my wallet")).to_have_count(0)
    assert serious_violations(page) == [] and _fits(page)

    page.get_by_label("Recipient's wallet address").fill(f" {recipient['account'].address.lower()} ")
    page.get_by_role("button", name="Check the transfer").click()
    expect(page.get_by_role("heading", name="Ready to sign")).to_be_visible()
    expect(page.get_by_text("2.25 HRW")).to_be_visible()
    assert serious_violations(page) == [] and _fits(page)
    page.get_by_role("button", name="Sign with my wallet").click()
    expect(page).to_have_url(re.compile(r"/portfolio/send/tx/0x[0-9a-f]{64}$"))
    tx_hash = page.url.rsplit("/", 1)[1]
    expect(page.get_by_test_id("transfer-state")).to_contain_text("Done", timeout=60_000)  # htmx polling

    page.goto(f"{base_url}/portfolio/")
    _reload_until(page, page.get_by_test_id("balance"), "10.25")
    page.goto(f"{base_url}/portfolio/transactions")
    expect(page.get_by_role("main")).to_contain_text(tx_hash)
    expect(page.get_by_role("main")).to_contain_text("Sent")

    wide = browser.new_context(viewport={"width": 1280, "height": 800})
    other = wide.new_page()
    sign_in(other, base_url, recipient["email"])
    other.goto(f"{base_url}/portfolio/")
    _reload_until(other, other.get_by_test_id("balance"), "2.25")
    other.goto(f"{base_url}/portfolio/transactions")
    expect(other.get_by_role("main")).to_contain_text("Received")
    expect(other.get_by_role("main")).to_contain_text(tx_hash)
    other.goto(f"{base_url}/portfolio/send/tx/{tx_hash}")
    expect(other.get_by_test_id("transfer-state")).to_contain_text("Done")
    wide.close()
