"""A new investor in Chromium: the individual wizard, approval in the KYC sandbox's page, a wallet proven with an
injected EIP-1193 provider, and the ONCHAINID identity with its KYC claim checked on anvil through web3."""

from __future__ import annotations

import re
import time

import pytest
import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from playwright.sync_api import Page, expect
from web3 import Web3

from app import create_app
from app.chain.identity import get_identity, has_valid_claim
from app.domain.accounts import service as accounts
from tests.e2e.conftest import fill
from tests.factories import PDF_BYTES as PDF
from tests.factories import png_bytes as png
from tests.fixtures.processes import flask_argv, start_process, stop_process

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"

PROVIDER = """
window.ethereum = {
  isTestWallet: true,
  request: async ({ method, params }) => {
    if (method === "eth_requestAccounts" || method === "eth_accounts") { return [window.__testWalletAddress]; }
    if (method === "personal_sign") { return await window.__testWalletSign(params[0], params[1]); }
    throw new Error("unsupported method " + method);
  },
};
"""


@pytest.fixture(scope="module")
def worker(services, platform, kyc_sandbox, tmp_path_factory):
    """The platform's RQ worker process on the kyc, chain and mail queues."""
    process = start_process(flask_argv("worker", "kyc", "chain", "mail"), services, "worker",
                            tmp_path_factory.mktemp("worker"))
    yield process
    stop_process(process)


@pytest.fixture
def newcomer(services):
    app = create_app()
    with app.app_context():
        return accounts.create_account({"email": f"e2e-{time.time_ns()}@example.com", "country_code": "+44",
                                        "mobile": f"77{time.time_ns() % 10**8:08d}", "legal_name": "Ada Newcomer",
                                        "password": PASSWORD, "user_type": "investor", "permissions": []},
                                       event="signup")


def test_new_investor_is_verified_and_gets_an_onchain_identity(page: Page, live_server, kyc_sandbox, worker,
                                                              newcomer, services, platform):
    requests.post(f"{kyc_sandbox}/settings", data={"webhookUrl": f"{live_server}/webhooks/kyc/sumsub"},
                  timeout=5).raise_for_status()
    wallet = Account.create()
    page.expose_function("__testWalletSign", lambda message_hex, _address: "0x" + bytes(wallet.sign_message(
        encode_defunct(hexstr=message_hex)).signature).hex())
    page.add_init_script(f"window.__testWalletAddress = '{wallet.address.lower()}';" + PROVIDER)

    page.goto(live_server + "/auth/login")
    page.get_by_label("Email").fill(newcomer["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/onboarding/")
    expect(page.locator("#kyc-status")).to_have_text("Not started")
    page.get_by_role("link", name="Start verification").click()
    page.get_by_role("button", name="As an individual").click()

    expect(page.get_by_text("Step 1 of 4: Personal information")).to_be_visible()
    fill(page, {"Date of birth": "1990-04-01", "Place of birth": "Bristol", "Nationality (2-letter code)": "GBR",
                "National identity number": "AB1234567", "Identity document": "passport",
                "Document expiry date": "2031-01-01", "Occupation": "Engineer"})
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Enter a 2-letter country code such as GB.")).to_be_visible()
    expect(page.get_by_label("Occupation", exact=True)).to_have_value("Engineer")  # kept after the error
    page.get_by_label("Nationality (2-letter code)").fill("GB")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_text("Step 2 of 4: Address")).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_attribute("value", "25")
    fill(page, {"Address line 1": "1 Harbour Way", "City": "Bristol", "Postal code": "BS1 4RN",
                "Country (2-letter code)": "GB"})
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_text("Step 3 of 4: Identity document")).to_be_visible()
    page.get_by_label("Front of the document").set_input_files(
        {"name": "front.png", "mimeType": "image/png", "buffer": png()})
    page.get_by_label("Back of the document").set_input_files(
        {"name": "back.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_text("Step 4 of 4: Review and submit")).to_be_visible()
    expect(page.get_by_text("•••••4567")).to_be_visible()
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.locator("#kyc-status")).to_have_text(re.compile("Submitted|Being checked"))

    sandbox = page.context.new_page()
    applicant = sandbox.get_by_role("region", name=f"Applicant {newcomer['_id']}")
    for _ in range(60):  # the worker opens the applicant at the provider
        sandbox.goto(kyc_sandbox + "/")
        if applicant.count():
            break
        time.sleep(0.5)
    applicant.get_by_role("button", name="Approve").click()
    expect(applicant).to_contain_text("completed (GREEN)")
    sandbox.close()

    for _ in range(60):  # webhook -> kyc queue -> worker
        page.reload()
        if page.locator("#kyc-status").inner_text() == "Approved":
            break
        time.sleep(0.5)
    expect(page.locator("#kyc-status")).to_have_text("Approved")

    page.get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#wallet-result")).to_have_text(f"Wallet {wallet.address} is verified.")
    expect(page.locator("#wallet-list")).to_contain_text(wallet.address)

    w3 = Web3(Web3.HTTPProvider(services["ETH_RPC_URL"]))
    identity = None
    for _ in range(120):  # chain queue -> IdFactory + addClaim
        identity = get_identity(w3, platform, wallet.address)
        if identity and has_valid_claim(w3, platform, identity):
            break
        time.sleep(0.5)
    assert identity and has_valid_claim(w3, platform, identity)
    for _ in range(20):
        page.reload()
        if page.locator("#onchain-id").count():
            break
        time.sleep(0.5)
    expect(page.locator("#onchain-id")).to_have_text(identity)
