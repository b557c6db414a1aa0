"""In Chromium: staff close an offering's raise and open its token; the page follows the unpause (worker, anvil,
chain monitor, chain-sync) until it reads open, and the holder's portfolio (on a 390-px phone) then says the tokens
can move."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app.chain import agent as ops
from app.chain.wallet import hot_wallet
from tests.fixtures.accounts import make_user
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import phone_problems, serious_violations, sign_in
from tests.fixtures.processes import wait_for

pytestmark = pytest.mark.e2e
HELD = 4


def test_staff_open_the_token_and_the_holder_reads_that_tokens_can_move(page: Page, browser: Browser, base_url: str,
                                                                        app, db, platform, platform_processes):
    offering = live_offering(app, platform, countries=("GB",), title="Browser Quay")
    investor = approved_investor(app, platform, offering)
    wallet = hot_wallet(app.config)
    ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], investor["account"].address, HELD)
    wait_for(lambda: (db.holdings.find_one({"token": offering["tokenAddress"]}) or {}).get("balance") == str(HELD),
             what="chain-sync to project the mint")

    holder = browser.new_page(viewport={"width": 390, "height": 844})  # the holder on a phone
    sign_in(holder, base_url, investor["email"])
    holder.goto(f"{base_url}/portfolio/")
    row = holder.locator(f'tr[data-offering="{offering["_id"]}"]')
    expect(row.get_by_test_id("can-move")).to_contain_text("Cannot move yet")
    expect(row).to_contain_text("The token is not open for transfers yet.")

    staff = make_user("subadmin", permissions=["offerings"])
    sign_in(page, base_url, staff["email"])
    page.goto(f"{base_url}/admin/offerings/{offering['_id']}")
    page.get_by_role("link", name="Close the raise and open the token").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close the raise").click()
    expect(page.get_by_text("Raise closed; 0 unpaid orders cancelled.")).to_be_visible()
    expect(page.get_by_test_id("offering-status")).to_have_text("Closed")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Open the token").click()
    expect(page.get_by_test_id("opening-state")).to_contain_text("Opening the token")
    expect(page.get_by_test_id("opening-state")).to_contain_text("Open: holders can transfer their tokens",
                                                                timeout=60_000)
    expect(page.get_by_role("button", name="Open the token")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})
    assert phone_problems(page) == []

    holder.reload()
    expect(row.get_by_test_id("can-move")).to_contain_text(f"Can move: {HELD}")
    expect(row).not_to_contain_text("not open for transfers")
    assert phone_problems(holder) == []
    holder.close()
