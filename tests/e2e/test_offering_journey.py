"""An issuer creates an offering in Chromium, an admin approves and deploys it, a visitor finds it.

Everything real: gunicorn, the RQ worker sending the deployment, anvil, the chain monitor,
Kafka and chain sync listing the offering from the synced event.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app import create_app
from app.domain.accounts import service as accounts
from tests.factories import PDF_BYTES, png_bytes
from tests.fixtures.processes import flask_argv, follow_chain_from_head, start_process, stop_process

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def platform_processes(services, platform, tmp_path_factory):
    """The worker (chain queue), chain monitor and chain sync, as the Procfile runs them."""
    logs = tmp_path_factory.mktemp("offering-journey")
    follow_chain_from_head(create_app().config)
    processes = [start_process(flask_argv(*argv), services, name, logs) for name, argv in (
        ("worker", ("worker", "chain", "mail")), ("monitor", ("chain", "monitor")), ("sync", ("chain", "sync")))]
    yield
    for process in processes:
        stop_process(process)


@pytest.fixture
def people(app):
    def make(user_type: str, email: str) -> dict:
        fields = {"email": email, "country_code": "+44", "mobile": f"7{abs(hash(email)) % 10**9:09d}",
                  "legal_name": email.split("@")[0].title(), "password": PASSWORD, "user_type": user_type,
                  "permissions": []}
        return accounts.create_account(fields, event="signup" if user_type == "issuer" else "role.created")
    return {"issuer": make("issuer", "issuer@harbour.example"), "admin": make("admin", "admin@libertum.example")}


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def fill(page: Page, values: dict[str, str]) -> None:
    for label, value in values.items():
        field = page.get_by_label(re.compile(rf"^{re.escape(label)}"))
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)  # a list for the multiple select of countries
        else:
            field.fill(value)
    page.get_by_role("button", name="Save and continue").click()


def upload_in(page: Page, row_text: str, name: str, data: bytes, mime: str) -> None:
    row = page.locator(".file-row").filter(has_text=row_text).first
    row.locator('input[type="file"]').set_input_files({"name": name, "mimeType": mime, "buffer": data})
    row.get_by_role("button", name="Upload").click()
    expect(row.get_by_role("link", name=name)).to_be_visible()  # answered in place


def test_issuer_creates_admin_deploys_visitor_finds(page: Page, base_url: str, people, platform_processes):
    sign_in(page, base_url, "issuer@harbour.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Issuer").click()
    page.get_by_role("button", name="Create an offering").click()
    expect(page.get_by_role("heading", name="Step 1 of 8: Overview")).to_be_visible()

    upload_in(page, "Cover image", "cover.png", png_bytes(), "image/png")
    fill(page, {"Title": "Harbour Lofts", "Description": "Forty flats on the harbour.", "Issuing entity": "Harbour SPV",
                "Entity type": "spv", "Line of business": "Rentals", "Source of funds": "Equity",
                "Location": "Bristol, United Kingdom"})
    expect(page.get_by_role("heading", name="Step 2 of 8: Property")).to_be_visible()
    fill(page, {"Asset type": "residential", "Property type": "apartment", "Year built": "1998",
                "Lot size": "12000", "Occupancy": "95", "Projected yield": "6.5", "Valuation at launch": "1000000",
                "Debt to equity": "40"})
    fill(page, {"Token name": "Harbour Lofts Token", "Ticker": "HBL", "Token supply": "10000", "Decimals": "0",
                "Lock-up": "12", "Most tokens one investor may hold": "2000", "Price per token": "100"})
    page.get_by_label("Closes on").fill((date.today() + timedelta(days=30)).isoformat())
    fill(page, {"Opens on": date.today().isoformat(), "Minimum investment": "5000", "Maximum investment": "1000",
                "Platform fee": "1", "Countries investors may live in": ["GB", "FR"]})
    expect(page.get_by_text("The maximum must be at least the minimum.")).to_be_visible()
    expect(page.get_by_label("Minimum investment")).to_have_value("5000")  # nothing typed is lost
    page.get_by_label("Minimum investment").fill("1000")
    page.get_by_label("Maximum investment").fill("100000")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Step 5 of 8: Documents")).to_be_visible()
    upload_in(page, "Subscription agreement", "subscription.pdf", PDF_BYTES, "application/pdf")
    upload_in(page, "Pitch deck", "deck.pdf", PDF_BYTES, "application/pdf")
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Role").fill("Director")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Ada Lovelace — Director")).to_be_visible()
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text("Check everything below.")).to_be_visible()
    expect(page.get_by_text("France, United Kingdom")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Submitted for review")
    expect(page.get_by_test_id("public-preview")).to_contain_text("Key facts")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base_url, "admin@libertum.example")
    page.goto(base_url + "/admin/offerings/")
    page.get_by_role("link", name="Harbour Lofts").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("offering-status")).to_have_text("Approved")
    page.get_by_role("button", name="Deploy token").click()
    expect(page.get_by_test_id("deployment-state")).to_contain_text("Token suite on chain", timeout=60_000)
    page.get_by_role("button", name="Sign out").click()

    page.goto(base_url + "/offerings")
    page.get_by_label("Asset type").select_option("residential")
    page.get_by_label("Search").fill("harbour")
    page.get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"q=harbour"))
    page.get_by_role("link", name="Harbour Lofts").click()
    expect(page.get_by_role("heading", name="Harbour Lofts", level=1)).to_be_visible()
    expect(page.get_by_text("Token contract")).to_be_visible()
