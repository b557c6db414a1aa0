"""In Chromium: staff cancelling an order asks first. Without JavaScript a question page keeps the reason typed and
"No, go back" changes nothing; with JavaScript the browser asks (hx-confirm) and dismissing it sends nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user
from tests.fixtures.orders import approve, order_form
from tests.fixtures.pages import sign_in

pytestmark = pytest.mark.e2e
REASON = "The allocation was revised"


@pytest.fixture
def no_js_page(browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def _unpaid_order(app, db) -> dict:
    offering = list_offering(db, offering_doc(fee=0))
    investor = make_user("investor")
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"isKyc": True, "kycStatus": "approved"}})
    approve(db, investor, offering)
    return ordering.place(app.config, db.users.find_one({"_id": investor["_id"]}), str(offering["_id"]),
                          order_form(10, method="fiat"))


def _open_as_staff(page: Page, base_url: str, order: dict) -> None:
    sign_in(page, base_url, make_user("subadmin", permissions=["orders"])["email"])
    page.goto(f"{base_url}/admin/orders/{order['_id']}")
    page.get_by_label("Reason (the investor reads it)").first.fill(REASON)


def test_staff_cancel_asks_on_a_page_without_javascript_and_keeps_the_reason(no_js_page, base_url, app, db):
    order, page = _unpaid_order(app, db), no_js_page
    _open_as_staff(page, base_url, order)
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_role("heading", name=f"Cancel order {order['paymentReference']}?")).to_be_visible()
    expect(page.get_by_text(f"Your reason: {REASON}")).to_be_visible()
    page.get_by_role("link", name="No, go back").click()
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "pending_payment"

    page.get_by_label("Reason (the investor reads it)").first.fill(REASON)
    page.get_by_role("button", name="Cancel order").click()
    page.get_by_role("button", name="Yes, cancel the order").click()
    expect(page.get_by_text("Order cancelled; the investor is told by email.")).to_be_visible()
    cancelled = db.orders.find_one({"_id": order["_id"]})
    assert (cancelled["status"], cancelled["cancelReason"]) == ("cancelled", REASON)


def test_staff_cancel_asks_in_the_browser_with_javascript(page: Page, base_url, app, db):
    order = _unpaid_order(app, db)
    _open_as_staff(page, base_url, order)
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_role("button", name="Cancel order")).to_be_visible()
    assert questions and order["paymentReference"] in questions[0]
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "pending_payment"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text("Order cancelled; the investor is told by email.")).to_be_visible()
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "cancelled"
