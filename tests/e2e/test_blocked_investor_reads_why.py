"""In Chromium: an investor whose KYC expired (the daily sweep judged at an explicit time) opens the offering page
and reads, under "Can I invest?", which rule fails, why, and what to do; the transfer verdict page says the same."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from app.domain.compliance import rekyc
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import sign_in

pytestmark = pytest.mark.e2e


def test_a_blocked_investor_reads_why_and_what_to_do(page: Page, base_url: str, app, db, platform):
    offering = live_offering(app, platform, unpause=True, title="Quayside Lofts")
    investor = approved_investor(app, platform, offering)
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"kycApprovedAt": "2025-01-10 09:00:00.000000"}})
    app.config["KYC_VALIDITY_MONTHS"] = 12
    assert rekyc.sweep(app.config, datetime(2026, 1, 11, tzinfo=UTC))["expired"] == [investor["_id"]]

    sign_in(page, base_url, investor["email"])
    page.goto(f"{base_url}/offerings/{offering['_id']}")
    section = page.get_by_test_id("can-i-invest")
    expect(section.get_by_role("heading", name="Can I invest?")).to_be_visible()
    expect(section.get_by_role("status")).to_contain_text("Not yet")
    kyc = section.locator('[data-rule="kyc"]')
    expect(kyc).to_contain_text("No")
    expect(kyc).to_contain_text("expired on 10 Jan 2026")
    expect(kyc.get_by_test_id("next-step")).to_contain_text("renew) your identity from the Onboarding page")
    expect(section.locator('[data-rule="claim"]')).to_contain_text("Yes")  # the claim job has not run yet

    page.goto(f"{base_url}/transfers/check")
    page.get_by_label("Recipient's wallet").fill("0x12")
    page.get_by_label("Tokens").fill("2")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("alert")).to_contain_text("0x followed by 40 hexadecimal characters")
    page.get_by_label("Recipient's wallet").fill(investor["account"].address)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="This transfer would be refused")).to_be_visible()
    expect(page.locator('[data-rule="kyc"]').first).to_contain_text("Renew your identity verification")
