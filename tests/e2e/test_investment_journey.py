"""The platform's core journey in Chromium, as a new investor lives it.

Sign up and confirm the email, pass KYC in the KYC sandbox, connect a wallet (an injected EIP-1193
provider backed by a real key), request whitelisting, sign the subscription agreement in the
e-signature sandbox, get approved by the offering's transfer agent and an admin, order tokens, pay in
Test USD from the wallet, order again and pay by bank transfer (an admin records it), and find the
tokens in the portfolio. The token has 18 decimals, like most ERC-20s (12 tokens are 1.2e19 base
units, past BSON's int64). Then the balance on chain, read through web3, must be the one the page
shows, and the offering's raise the two orders'.

Everything is real: gunicorn, the RQ worker on every queue, the KYC and e-signature sandboxes over
HTTP, anvil, the chain monitor, Kafka and chain-sync.
"""

from __future__ import annotations

import re
import time

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from app.chain.artifacts import contract
from app.data import offering_payments, offerings
from app.data.mongo import get_db
from app.domain.accounts import service as accounts
from app.domain.payments import stablecoin as payments
from app.domain.portfolio.rules import units
from infra import devchain
from tests.e2e.conftest import fill, open_latest_mail
from tests.factories import PDF_BYTES, png_bytes
from tests.fixtures.chain import live_offering

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
TOKENS = 12  # at the factory's $100.00 NAV: above the $1,000.00 minimum
BANK_TOKENS = 10  # the second order, paid by bank transfer
DECIMALS = 18

# A browser wallet: accounts, personal_sign and eth_sendTransaction answered by the test's key (exposed functions).
PROVIDER = """
window.ethereum = {
  isTestWallet: true,
  request: async ({ method, params }) => {
    if (method === "eth_requestAccounts" || method === "eth_accounts") { return [window.__testWalletAddress]; }
    if (method === "personal_sign") { return await window.__testWalletSign(params[0]); }
    if (method === "eth_sendTransaction") { return await window.__testWalletSend(params[0]); }
    throw new Error("unsupported method " + method);
  },
};
"""


def make_staff(user_type: str, email: str, permissions: list[str]) -> dict:
    return accounts.create_account({"email": email, "country_code": "+44", "mobile": f"7{abs(hash(email)) % 10**9:09d}",
                                    "legal_name": email.split("@")[0].title(), "password": PASSWORD,
                                    "user_type": user_type, "permissions": permissions}, event="role.created")


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def reload_until(page: Page, locator, text: str | re.Pattern, attempts: int = 120) -> None:
    """Reload until `locator` shows `text` (work that happens in other processes), then assert it."""
    pattern = text if isinstance(text, re.Pattern) else re.compile(re.escape(text))
    for _ in range(attempts):
        if locator.count() and pattern.search(locator.first.inner_text()):
            break
        time.sleep(0.5)
        page.reload()
    expect(locator.first).to_have_text(pattern)


def sign_up_and_confirm(page: Page, base_url: str, mail_sandbox: str, email: str) -> None:
    page.goto(base_url + "/auth/signup")
    page.get_by_label("Legal full name").fill("Nora Newinvestor")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Country code").fill("+44")
    page.get_by_label("Mobile number").fill(f"77{time.time_ns() % 10**8:08d}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Check your mailbox")).to_be_visible()  # sign-up never signs in (no enumeration)
    inbox = page.context.new_page()
    open_latest_mail(inbox, mail_sandbox, email, "Confirm your email for Libertum")
    inbox.get_by_role("link", name=re.compile("verify-email")).click()
    inbox.get_by_role("button", name="Confirm my email address").click()
    expect(inbox).to_have_url(re.compile(r"/auth/login"))  # confirmed: closing mid-redirect can hang Playwright
    inbox.close()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("email-status")).to_have_text("verified")


def pass_kyc(page: Page, base_url: str, kyc_sandbox: str, email: str) -> None:
    page.goto(base_url + "/onboarding/")
    page.get_by_role("link", name="Start verification").click()
    page.get_by_role("button", name="As an individual").click()
    fill(page, {"Date of birth": "1988-02-11", "Place of birth": "Leeds", "Nationality (2-letter code)": "GB",
                "National identity number": "QQ1234567", "Identity document": "passport",
                "Document expiry date": "2032-01-01", "Occupation": "Architect"})
    page.get_by_role("button", name="Save and continue").click()
    fill(page, {"Address line 1": "7 Quay Street", "City": "Leeds", "Postal code": "LS1 4AP",
                "Country (2-letter code)": "GB"})
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Front of the document").set_input_files(
        {"name": "front.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.get_by_label("Back of the document").set_input_files(
        {"name": "back.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit for verification").click()

    sandbox = page.context.new_page()
    # this person's applicant: the sandbox lists every applicant of the session (the demo's among them)
    applicant = sandbox.get_by_role("region", name=re.compile(r"^Applicant ")).filter(has_text=f"email {email},")
    for _ in range(60):  # the worker opens the applicant at the provider
        sandbox.goto(kyc_sandbox + "/")
        if applicant.count():
            break
        time.sleep(0.5)
    applicant.first.get_by_role("button", name="Approve").click()
    expect(applicant.first).to_contain_text("completed (GREEN)")
    sandbox.close()
    reload_until(page, page.locator("#kyc-status"), "Approved")


def staff_page(browser: Browser, base_url: str, email: str) -> Page:
    page = browser.new_context().new_page()
    sign_in(page, base_url, email)
    return page


def test_new_investor_invests_in_stablecoin_and_by_bank_and_sees_the_tokens(
        page: Page, browser: Browser, app, live_server, kyc_sandbox, mail_sandbox, services, platform,
        platform_processes):
    config, w3 = app.config, Web3(Web3.HTTPProvider(services["ETH_RPC_URL"]))
    make_staff("admin", "admin@libertum.example", [])
    agent = make_staff("subadmin", "agent@transfer.example", ["offerings"])
    offering = live_offering(app, platform, countries=("GB",), unpause=True, title="Quayside Flats",
                             details={"taId": agent["_id"], "isTransferAgent": True, "tokenDecimals": DECIMALS})
    # chain-sync gives a deployed offering its receiving address when it sees the suite deployed; this suite was
    # deployed by the fixture directly, so give it the same address chain-sync would.
    offering_payments.payment_address(get_db(config), offering["_id"], payments.treasury(config))
    offering_url = f"{live_server}/offerings/{offering['_id']}"

    wallet = Account.create()
    devchain.fund(services["ETH_RPC_URL"], wallet.key.to_0x_hex())  # gas
    payments.faucet(config, wallet.address, 10_000 * 10**6)  # $10,000 of Test USD in the wallet

    def sign(message_hex: str) -> str:
        return "0x" + bytes(wallet.sign_message(encode_defunct(hexstr=message_hex)).signature).hex()

    def send(tx: dict) -> str:
        fields = {"from": wallet.address, "to": Web3.to_checksum_address(tx["to"]), "data": tx["data"],
                  "nonce": w3.eth.get_transaction_count(wallet.address), "chainId": w3.eth.chain_id,
                  "gasPrice": w3.eth.gas_price}
        fields["gas"] = w3.eth.estimate_gas(fields)
        return w3.eth.send_raw_transaction(wallet.sign_transaction(fields).raw_transaction).to_0x_hex()

    page.expose_function("__testWalletSign", sign)
    page.expose_function("__testWalletSend", send)
    page.add_init_script(f"window.__testWalletAddress = '{wallet.address.lower()}';" + PROVIDER)

    email = f"nora-{time.time_ns()}@example.com"
    sign_up_and_confirm(page, live_server, mail_sandbox, email)
    pass_kyc(page, live_server, kyc_sandbox, email)
    page.get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#wallet-result")).to_have_text(f"Wallet {wallet.address} is verified.")

    # Whitelisting: request it from the offering page and sign the agreement in the e-signature sandbox.
    page.goto(offering_url)
    page.get_by_role("link", name="Request whitelisting").click()
    page.get_by_role("button", name="Request whitelisting").click()
    expect(page).to_have_url(re.compile(re.escape(app.config["ESIGN_API_URL"])))  # the embedded signing page
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Whitelisting")).to_be_visible()  # back on our status page
    expect(page.get_by_test_id("whitelist-stage")).to_contain_text(re.compile("review|approval", re.I),
                                                                   timeout=60_000)  # Connect webhook -> esign job

    # The transfer agent, then an admin, approve; the approval registers the wallet on chain.
    for email_of, button in (("agent@transfer.example", "Approve as transfer agent"),
                             ("admin@libertum.example", "Approve")):
        staff = staff_page(browser, live_server, email_of)
        staff.goto(live_server + "/admin/whitelist/")
        staff.get_by_role("link", name=re.compile("Nora Newinvestor")).first.click()
        with staff.expect_navigation():  # the decision's redirect: closing before it can abort or hang
            staff.get_by_role("button", name=button, exact=True).click()
        staff.context.close()
    expect(page.get_by_test_id("whitelist-stage")).to_have_text("Approved", timeout=90_000)

    # The order: 12 tokens paid in stablecoin from the wallet.
    page.get_by_role("link", name="Order tokens").first.click()
    page.get_by_label("Number of tokens").fill(str(TOKENS))
    page.get_by_role("radio", name=re.compile("Stablecoin from your wallet")).check()
    page.get_by_role("button", name="Review order").click()
    page.get_by_role("button", name="Confirm order").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Waiting for your payment")
    due = page.get_by_test_id("payment-due").inner_text()
    page.get_by_role("button", name="Pay from my wallet").click()
    expect(page.locator("#pay-result")).to_contain_text("Payment sent")
    expect(page.get_by_test_id("order-status")).to_contain_text("Tokens minted", timeout=120_000)

    # A second order, paid by bank transfer: an admin records the transfer the bank statement shows.
    page.goto(f"{live_server}/invest/{offering['_id']}/order")
    page.get_by_label("Number of tokens").fill(str(BANK_TOKENS))
    page.get_by_role("radio", name="Bank transfer").check()
    page.get_by_role("button", name="Review order").click()
    page.get_by_role("button", name="Confirm order").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Waiting for your payment")
    bank_order_url, owed = page.url, page.get_by_test_id("bank-amount").inner_text()  # "$1,000.00"
    admin = staff_page(browser, live_server, "admin@libertum.example")
    admin.goto(live_server + "/admin/orders/" + bank_order_url.rstrip("/").rsplit("/", 1)[1])
    admin.get_by_label(re.compile("Amount received")).fill(owed.replace("$", "").replace(",", ""))
    with admin.expect_navigation():  # the recorded payment's redirect: closing before it can abort or hang
        admin.get_by_role("button", name="Mark payment received").click()
    admin.context.close()
    page.goto(bank_order_url)
    expect(page.get_by_test_id("order-status")).to_contain_text("Tokens minted", timeout=120_000)

    # The portfolio shows both orders' tokens, the chain agrees, and the raise is the two orders.
    held = TOKENS + BANK_TOKENS
    page.goto(live_server + "/portfolio/")
    reload_until(page, page.get_by_test_id("balance"), str(held))
    token = contract(w3, "Token", offering["tokenAddress"])
    on_chain = token.functions.balanceOf(wallet.address).call()
    assert on_chain == held * 10**DECIMALS
    assert page.get_by_test_id("balance").first.inner_text() == units(on_chain, DECIMALS)
    raised = offerings.by_id(get_db(config), offering["_id"])
    assert (raised["tokensSold"], raised["raisedAmount"]) == (on_chain, held * 100_00)
    usd = contract(w3, "TestUSD", platform["stablecoin"]["address"])
    assert usd.functions.balanceOf(wallet.address).call() == 10_000 * 10**6 - _base_units(due)


def _base_units(shown: str) -> int:
    """'1,200.000000 USD stablecoin' -> 1200000000 (6 decimals)."""
    whole, fraction = shown.split()[0].replace(",", "").split(".")
    return int(whole) * 10**6 + int(fraction)
