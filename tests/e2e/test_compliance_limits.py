"""In Chromium on a 390-px phone: staff open an offering's compliance limits from its admin page, are refused an
investor cap below the holders (next to the field, what they typed kept), then lower the lock-up and raise the
investor cap; the history follows the chain jobs (worker, anvil) until both are confirmed, and the chain has them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.chain import agent as ops
from app.chain import compliance as chain_compliance
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.domain.platform.chain import current_platform
from tests.fixtures.accounts import make_user
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import phone_problems, serious_violations, sign_in
from tests.fixtures.processes import wait_for

pytestmark = pytest.mark.e2e
UNIT = 10**18


def test_staff_change_limits_from_a_phone_and_the_chain_has_them(page: Page, base_url: str, app, db, platform,
                                                                 platform_processes):
    offering = live_offering(app, platform, countries=("GB",), title="Phone Limits Quay",
                             details={"tokenDecimals": 18})
    wallet = hot_wallet(app.config)
    for amount in (2 * UNIT, UNIT // 4):
        investor = approved_investor(app, platform, offering)
        ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], investor["account"].address, amount)
    wait_for(lambda: db.holdings.count_documents({"token": offering["tokenAddress"]}) == 2,
             what="chain-sync to project both mints")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base_url, make_user("subadmin", permissions=["offerings"])["email"])
    page.goto(f"{base_url}/admin/offerings/{offering['_id']}")
    page.get_by_role("link", name="Compliance limits").click()
    expect(page.get_by_role("heading", name="Compliance limits")).to_be_visible()
    expect(page.get_by_test_id("limit-investorCap")).to_have_text("No limit")
    assert serious_violations(page) == [] and phone_problems(page) == []

    page.get_by_label("Maximum number of investors (investors)").fill("1")
    page.get_by_label("Reason (kept in the history)").fill("Investor committee, minute 4")
    page.get_by_role("button", name="Change limits").click()
    expect(page.locator("#investorCap-error")).to_have_text(
        "A cap of 1 investor is below the 2 investors who hold tokens now.")
    expect(page.get_by_label("Maximum number of investors (investors)")).to_have_value("1")
    expect(page.get_by_label("Reason (kept in the history)")).to_have_value("Investor committee, minute 4")
    assert serious_violations(page) == []

    page.get_by_label("Maximum number of investors (investors)").fill("25")
    page.get_by_label("Lock-up (days)").fill("90")
    page.get_by_role("button", name="Change limits").click()
    expect(page.get_by_text("2 changes are on their way to the chain")).to_be_visible()
    history = page.get_by_test_id("limits-history")
    expect(history).to_contain_text("Maximum number of investors: No limit → 25 investors")
    expect(history).to_contain_text("Investor committee, minute 4")
    expect(page.get_by_test_id("limit-investorCap")).to_have_text("25 investors", timeout=60_000)
    expect(page.get_by_test_id("limit-lockup")).to_have_text("90 days")
    expect(page.get_by_test_id("limit-change-state")).to_have_count(2)
    for state in page.get_by_test_id("limit-change-state").all():
        expect(state).to_contain_text("Confirmed on the chain")
    assert serious_violations(page) == [] and phone_problems(page) == []

    w3, chain = wallet.w3, current_platform(app.config)
    compliance = contract(w3, "Token", offering["tokenAddress"]).functions.compliance().call()
    assert chain_compliance.investor_cap(w3, chain, compliance) == 25
    assert contract(w3, "LockupModule", chain["lockupModule"]).functions.lockupPeriod(compliance).call() == 90 * 86_400
