"""In Chromium: the issuer declares a stablecoin distribution (with its waterfall), staff approve it, the holders are
fixed at the record time, staff pay it, and the investor (on a 390-px phone) sees the net amount and the waterfall;
the wallet's Test USD balance, read through web3, rose by exactly that amount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.data import distributions
from app.domain.payments.stablecoin import faucet, treasury
from tests.e2e.conftest import fill
from tests.factories import PDF_BYTES
from tests.fixtures.accounts import make_user
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import phone_problems, serious_violations, sign_in
from tests.fixtures.processes import wait_for

pytestmark = pytest.mark.e2e
NET_CENTS = 123_45  # the whole distribution: the one holder, residence GB, no withholding set


def test_issuer_declares_staff_approve_and_pay_and_the_investor_sees_the_net_and_the_waterfall(
        page: Page, browser: Browser, base_url: str, app, db, platform, platform_processes, tmp_path):
    issuer = make_user("issuer")
    offering = live_offering(app, platform, countries=("GB",), unpause=True, title="Payout Quay",
                             createdBy=issuer["_id"])
    investor = approved_investor(app, platform, offering)
    wallet = hot_wallet(app.config)
    ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], investor["account"].address, 40)
    wait_for(lambda: db.holdings.count_documents({"token": offering["tokenAddress"]}) == 1, what="the synced mint")
    usd = contract(wallet.w3, "TestUSD", platform["stablecoin"]["address"])
    faucet(app.config, treasury(app.config), NET_CENTS * 10 ** (usd.functions.decimals().call() - 2))
    before = usd.functions.balanceOf(investor["account"].address).call()

    sign_in(page, base_url, issuer["email"])
    page.goto(f"{base_url}/issuer/offerings/{offering['_id']}/distributions/new")
    record = (datetime.now(UTC) + timedelta(seconds=40)).strftime("%Y-%m-%dT%H:%M:%S")
    page.get_by_label("the total to distribute").check()
    fill(page, {"Kind": "rentalIncome", "Amount (USD)": "123.45", "Paid by": "stablecoin",
                "Record date (holders at this moment are paid)": record, "Payment date": record,
                "Gross rent": "200", "Vacancy": "20", "Operating costs": "30.55", "Management fee": "16",
                "Reserve top-up": "10", "Distributable": "123.45"})
    document = tmp_path / "rent-roll.pdf"
    document.write_bytes(PDF_BYTES)
    page.get_by_label("Supporting document (PDF or image)").set_input_files(str(document))
    page.get_by_role("button", name="Declare for approval").click()
    expect(page.get_by_test_id("distribution-status")).to_have_text("Waiting for approval")
    found = distributions.of_offering(db, offering["_id"])[0]

    staff = browser.new_page()
    sign_in(staff, base_url, make_user("subadmin", permissions=["dividends"])["email"])
    staff.goto(f"{base_url}/admin/distributions/{found['_id']}")
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_test_id("distribution-status")).to_contain_text("Approved")
    wait_for(lambda: distributions.by_id(db, found["_id"])["status"] == "snapshotted", timeout=150,
             what="the record-date snapshot")

    staff.goto(f"{base_url}/admin/distributions/{found['_id']}/payout")
    assert serious_violations(staff) == []
    staff.get_by_role("button", name="Pay now (from the payment date)").click()
    expect(staff.get_by_text("The payout is queued")).to_be_visible()

    def paid() -> bool:
        staff.reload()
        return staff.get_by_test_id("distribution-status").inner_text() == "Paid"
    wait_for(paid, timeout=120, what="the payout page to read Paid")
    expect(staff.get_by_test_id("paid-total")).to_have_text("$123.45")
    staff.set_viewport_size({"width": 390, "height": 844})
    assert phone_problems(staff) == []

    holder = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(holder, base_url, investor["email"])
    holder.goto(f"{base_url}/portfolio/distributions")
    line = holder.get_by_test_id("received-line")
    expect(line.get_by_test_id("received-net")).to_have_text("$123.45")
    line.get_by_text("Where it comes from (the waterfall)").click()
    waterfall = line.get_by_test_id("waterfall")
    expect(waterfall).to_contain_text("Gross rent")
    expect(waterfall).to_contain_text("$200")
    expect(waterfall).to_contain_text("$30.55")
    assert phone_problems(holder) == []
    assert serious_violations(holder) == []
    holder.get_by_role("button", name="Show the statement").click()
    expect(holder.get_by_test_id("total-net")).to_have_text("$123.45")
    assert phone_problems(holder) == []
    assert serious_violations(holder) == []
    after = usd.functions.balanceOf(investor["account"].address).call()
    assert after - before == NET_CENTS * 10 ** (usd.functions.decimals().call() - 2)
