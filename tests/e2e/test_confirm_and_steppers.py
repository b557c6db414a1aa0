"""In Chromium: the order page's stepper marks what is done, and "Cancel order" asks before cancelling
(dismissing the question leaves the order as it was)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.domain.accounts import service as accounts
from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.fixtures.orders import approve, order_form

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


@pytest.fixture
def placed_order(app, db):
    offering = list_offering(db, offering_doc(fee=150))
    investor = accounts.create_account({"email": "cancel@example.com", "country_code": "+44", "mobile": "7700900321",
                                        "legal_name": "Carla Cancel", "password": PASSWORD, "user_type": "investor",
                                        "permissions": []}, event="signup")
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"isKyc": True, "kycStatus": "approved"}})
    approve(db, investor, offering)
    investor = db.users.find_one({"_id": investor["_id"]})
    return ordering.place(app.config, investor, str(offering["_id"]), order_form(20, method="fiat"))


def test_the_order_stepper_and_cancel_asks_first(page: Page, base_url: str, placed_order, db):
    page.goto(base_url + "/auth/login")
    page.get_by_label("Email").fill("cancel@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{base_url}/orders/{placed_order['_id']}")

    progress = page.get_by_role("navigation", name="Order progress")
    expect(progress.locator("li").nth(0)).to_have_class("stage stage-done")
    expect(progress.locator("li").nth(1)).to_have_class("stage stage-current")
    expect(progress.locator("li").nth(1)).to_have_attribute("aria-current", "step")
    expect(progress.locator("li").nth(2)).to_have_class("stage stage-next")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Waiting for your payment")
    assert questions and "cannot be undone" in questions[0]
    assert db.orders.find_one({"_id": placed_order["_id"]})["status"] == "pending_payment"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("Cancelled by you")
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
