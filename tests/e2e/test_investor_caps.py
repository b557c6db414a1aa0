"""In Chromium: an issuer sets investor caps on the wizard's token step, choosing countries by name; a cap for a
country the offering does not authorise is refused with the message tied to the row's fields (screen readers
read it with them), the corrected caps are saved and the review step reads them in words."""

from __future__ import annotations

import pytest
from bson import ObjectId
from playwright.sync_api import Page, expect

from app.domain.offerings import service as offerings_service
from tests.e2e.conftest import fill
from tests.fixtures.accounts import make_user
from tests.fixtures.pages import serious_violations, sign_in

pytestmark = pytest.mark.e2e
TOKEN = {"Token name": "Harbour Lofts Token", "Ticker (3-6 capitals or digits)": "HBL1", "Token supply": "10000",
         "Decimals": "0", "Lock-up (months)": "0", "Most tokens one investor may hold": "2000"}


def test_an_issuer_sets_caps_by_country_name(page: Page, base_url: str, app, db):
    issuer = make_user("issuer")
    draft = offerings_service.create_draft(issuer)
    db.offerings.update_one({"_id": ObjectId(draft)}, {"$set": {"projectDetails.authorizedCountries": ["FR", "GB"]}})
    sign_in(page, base_url, issuer["email"])
    page.goto(f"{base_url}/issuer/offerings/{draft}/steps/token")
    fill(page, {**TOKEN, "Price per token at launch (NAV) (" + app.config.get("PLATFORM_CURRENCY", "USD") + ")": "100",
                "Maximum number of investors (optional)": "2",
                "Country 1": "Germany", "Most investors from country 1": "1"})
    page.get_by_role("button", name="Save and continue").click()
    message = "Germany is not among the countries investors may live in (Raise step)"
    expect(page.locator("#e-maxInvestorsPerCountry")).to_contain_text(message)
    country = page.get_by_label("Country 1", exact=True)
    expect(country).to_have_attribute("aria-invalid", "true")
    assert "e-maxInvestorsPerCountry" in country.get_attribute("aria-describedby")
    assert serious_violations(page) == []

    fill(page, {"Country 1": "France"})
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Step 4 of 8: Raise")).to_be_visible()
    page.goto(f"{base_url}/issuer/offerings/{draft}/steps/review")
    token = page.get_by_role("region", name="Token")
    expect(token).to_contain_text("2 investors")
    expect(token).to_contain_text("France: at most 1 investor")
