"""In Chromium with JavaScript off (no htmx, no hx-confirm): "Cancel order" and removing an uploaded file in
the wizard show a question page first; "No, go back" changes nothing, the question's button does it."""

from __future__ import annotations

import pytest
from bson import ObjectId
from playwright.sync_api import Browser, expect

from app.domain.offerings import service as offerings_service
from app.domain.orders import placement as ordering
from tests.factories import PDF_BYTES, list_offering, offering_doc
from tests.fixtures.accounts import make_user
from tests.fixtures.orders import approve, order_form
from tests.fixtures.pages import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def no_js_page(browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_cancel_order_asks_on_a_page_without_javascript(no_js_page, base_url, app, db):
    offering = list_offering(db, offering_doc(fee=150))
    investor = make_user("investor")
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"isKyc": True, "kycStatus": "approved"}})
    approve(db, investor, offering)
    order = ordering.place(app.config, db.users.find_one({"_id": investor["_id"]}), str(offering["_id"]),
                           order_form(20, method="fiat"))
    page = no_js_page
    sign_in(page, base_url, investor["email"])
    page.goto(f"{base_url}/orders/{order['_id']}")

    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_role("heading", name=f"Cancel order {order['paymentReference']}?")).to_be_visible()
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Waiting for your payment")
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "pending_payment"

    page.get_by_role("button", name="Cancel order").click()
    page.get_by_role("button", name="Yes, cancel the order").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Cancelled by you")
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "cancelled"


def test_removing_a_wizard_file_asks_on_a_page_without_javascript(no_js_page, base_url, db, tmp_path):
    issuer = make_user("issuer")
    draft = ObjectId(offerings_service.create_draft(issuer))
    deck = tmp_path / "deck-2026.pdf"
    deck.write_bytes(PDF_BYTES)
    page = no_js_page
    sign_in(page, base_url, issuer["email"])
    page.goto(f"{base_url}/issuer/offerings/{draft}/steps/documents")
    row = page.locator("#file-pitchDeck")
    row.locator('input[type="file"]').set_input_files(str(deck))
    row.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("file-pitchDeck")).to_contain_text("deck-2026.pdf")

    page.get_by_test_id("file-pitchDeck").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("heading", name="Remove deck-2026.pdf from the pitch deck?")).to_be_visible()
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_test_id("file-pitchDeck")).to_contain_text("deck-2026.pdf")

    page.get_by_test_id("file-pitchDeck").get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Yes, remove the file").click()
    expect(page.locator("#file-pitchDeck")).to_contain_text("Not uploaded yet")
    assert not db.offerings.find_one({"_id": draft})["documents"]["pitchDeck"]
