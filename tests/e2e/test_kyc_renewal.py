"""In Chromium: an investor whose KYC expired clicks "Renew your verification", the KYC sandbox's reviewer
approves the new check, and the verification page says verified again (the webhook through the gateway)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import Page, expect

from app.domain.compliance import rekyc
from app.providers.sumsub import SumsubClient
from tests.fixtures.chain import approved_investor, live_offering
from tests.fixtures.pages import sign_in
from tests.fixtures.processes import run_jobs

pytestmark = pytest.mark.e2e


def _status_after_jobs(page: Page, wanted: str, timeout_s: float = 30) -> None:
    """Run the kyc and chain jobs (the worker's part) and reload until the status reads `wanted`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run_jobs("kyc", "chain")
        page.reload()
        if wanted in page.locator("#kyc-status").inner_text() or wanted in page.content():
            return
        time.sleep(0.3)


def test_an_expired_investor_renews_and_is_verified_again(page: Page, base_url: str, app, db, platform,
                                                         kyc_sandbox):
    requests.post(f"{kyc_sandbox}/settings", data={"webhookUrl": f"{base_url}/webhooks/kyc/sumsub"},
                  timeout=5).raise_for_status()
    offering = live_offering(app, platform, unpause=True)
    investor = approved_investor(app, platform, offering)
    applicant = SumsubClient.from_config(app.config).create_applicant(str(investor["_id"]), "basic-kyc-level")
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"kycApprovedAt": "2025-01-10 09:00:00.000000",
                                                            "kycApplicationId": applicant["id"]}})
    app.config["KYC_VALIDITY_MONTHS"] = 12
    assert rekyc.sweep(app.config, datetime(2026, 1, 11, tzinfo=UTC))["expired"] == [investor["_id"]]

    sign_in(page, base_url, investor["email"])
    page.get_by_test_id("kyc-validity-notice").get_by_role("link", name="Renew it from Onboarding").click()
    expect(page.locator("#kyc-status")).to_have_text("Expired")
    page.get_by_role("button", name="Renew your verification").click()
    expect(page.locator("#kyc-renewal")).to_contain_text("Renewal in progress")
    _status_after_jobs(page, "being checked")  # the sandbox's pending event for the new check
    expect(page.locator("#kyc-renewal")).to_contain_text("being checked")
    expect(page.locator("#kyc-status")).to_have_text("Expired")

    sandbox = page.context.new_page()
    sandbox.goto(kyc_sandbox + "/")
    section = sandbox.get_by_role("region", name=f"Applicant {investor['_id']}")
    expect(section).to_contain_text("pending")
    section.get_by_role("button", name="Approve").click()
    expect(section).to_contain_text("completed (GREEN)")
    sandbox.close()

    _status_after_jobs(page, "Approved")
    expect(page.locator("#kyc-status")).to_have_text("Approved")
    expect(page.locator("#kyc-renewal")).to_have_count(0)
    expect(page.get_by_test_id("kyc-validity-notice")).to_have_count(0)
    expect(page.locator("#kyc-next")).to_contain_text("Your identity is verified")
