"""In Chromium on a 390-px phone: staff make an agent action case (a wallet freeze) with its reason and an evidence
document, confirm it, and the case page follows the execution (worker, anvil, chain monitor, chain-sync) until it
reads executed; a burn made the same way waits for a second person."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.chain import agent as ops
from app.chain.wallet import hot_wallet
from tests.fixtures.accounts import make_user
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import phone_problems, serious_violations, sign_in
from tests.fixtures.processes import wait_for
from tests.integration.enforcement.conftest import PDF

pytestmark = pytest.mark.e2e


def new_case(page: Page, base_url: str, offering: dict, kind_label: str, fields: dict[str, str]) -> None:
    page.goto(f"{base_url}/admin/enforcement/")
    page.get_by_label("Offering").first.select_option(str(offering["_id"]))
    page.get_by_role("button", name="New case").click()
    page.get_by_label("What to do").select_option(label=kind_label)  # htmx brings the kind's fields
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Reason (kept on the case file)").fill("Regulator's letter of 3 December, ref. 88/2026")
    page.get_by_label("Evidence documents", exact=False).set_input_files(
        files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Make the case").click()


def test_staff_freeze_a_wallet_with_reason_and_evidence_and_follow_it_on_chain(page: Page, base_url: str, app, db,
                                                                               platform, platform_processes):
    offering = live_offering(app, platform, countries=("GB",), title="Enforcement Quay", unpause=True)
    investor = approved_investor(app, platform, offering)
    holder = investor["account"].address
    wallet = hot_wallet(app.config)
    ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], holder, 3)
    wait_for(lambda: (db.holdings.find_one({"token": offering["tokenAddress"]}) or {}).get("balance") == "3",
             what="chain-sync to project the mint")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base_url, make_user("subadmin", permissions=["transfers"])["email"])
    new_case(page, base_url, offering, "Freeze a wallet", {"Holder's wallet": holder})
    expect(page.get_by_test_id("case-state")).to_have_text("Waiting for approval")
    expect(page.get_by_role("link", name="Document 1")).to_be_visible()
    assert phone_problems(page) == []
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm and execute").click()
    expect(page.get_by_test_id("case-state")).to_have_text("Executed", timeout=60_000)  # followed by htmx
    expect(page.get_by_test_id("case-tx")).to_be_visible()
    wait_for(lambda: (db.holdings.find_one({"_id": f"{offering['tokenAddress']}:{holder}"}) or {}).get("isFrozen"),
             what="the frozen wallet projected")

    new_case(page, base_url, offering, "Burn tokens", {"Holder's wallet": holder, "Tokens": "1"})
    expect(page.get_by_test_id("case-state")).to_have_text("Waiting for approval")
    expect(page.get_by_text("someone else with the transfers permission must approve it")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    assert phone_problems(page) == []
