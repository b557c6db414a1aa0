"""The offering wizard in Chromium as an issuer uses it: a file uploaded in place keeps the text already
typed on the step, shows its name, size and preview, can be removed after confirming, and the Documents
step is ticked only once the required documents are there."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.domain.accounts import service as accounts
from tests.factories import PDF_BYTES, png_bytes

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


@pytest.fixture
def issuer(app):
    return accounts.create_account({"email": "wizard@harbour.example", "country_code": "+44", "mobile": "7700900123",
                                    "legal_name": "Wizard Issuer", "password": PASSWORD, "user_type": "issuer",
                                    "permissions": []}, event="signup")


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def upload(page: Page, slot: str, name: str, data: bytes, mime: str) -> None:
    row = page.locator(f"#file-{slot}")
    row.locator('input[type="file"]').set_input_files({"name": name, "mimeType": mime, "buffer": data})
    row.get_by_role("button", name="Upload").click()


def test_uploading_an_image_keeps_the_text_typed_on_the_step(page: Page, base_url: str, issuer):
    sign_in(page, base_url, "wizard@harbour.example")
    page.goto(base_url + "/issuer/")
    page.get_by_role("button", name="Create an offering").click()
    expect(page.get_by_role("heading", name="Step 1 of 8: Overview")).to_be_visible()

    page.get_by_label("Title", exact=True).fill("Harbour Lofts")
    page.get_by_label("Description").fill("Forty flats on the harbour.")
    upload(page, "cover", "harbour-front.png", png_bytes(), "image/png")

    cover = page.get_by_test_id("file-cover")
    expect(cover).to_contain_text("harbour-front.png")
    expect(cover).to_contain_text("bytes")
    expect(cover.get_by_role("img", name="Preview of the cover image")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Harbour Lofts")  # nothing typed is lost
    expect(page.get_by_label("Description")).to_have_value("Forty flats on the harbour.")

    upload(page, "icon", "icon.png", png_bytes(), "image/png")
    expect(page.get_by_test_id("file-icon")).to_contain_text("icon.png")
    page.once("dialog", lambda dialog: dialog.accept())  # "Remove icon.png from the icon?"
    page.locator("#file-icon").get_by_role("button", name="Remove").click()
    expect(page.locator("#file-icon")).to_contain_text("Not uploaded yet")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Harbour Lofts")

    stepper = page.get_by_role("navigation", name="Offering steps")
    stepper.get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Step 5 of 8: Documents")).to_be_visible()
    documents = page.get_by_role("navigation", name="Offering steps").locator("li", has_text="Documents")
    expect(documents).to_have_class("stage stage-current")
    upload(page, "eSign", "subscription.pdf", PDF_BYTES, "application/pdf")
    expect(page.get_by_test_id("file-eSign")).to_contain_text("subscription.pdf")
    upload(page, "pitchDeck", "deck.pdf", PDF_BYTES, "application/pdf")
    expect(page.get_by_test_id("file-pitchDeck")).to_contain_text("deck.pdf")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Step 6 of 8: Team")).to_be_visible()
    documents = page.get_by_role("navigation", name="Offering steps").locator("li", has_text="Documents")
    expect(documents).to_have_class("stage stage-done")
    expect(documents).to_contain_text("(done)")
