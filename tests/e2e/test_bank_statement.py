"""In Chromium: staff upload the bank's camt.053 statement and the investor, watching their order page, sees the
order turn paid without reloading (the page polls its status)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from app.domain.accounts import service as accounts
from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.fixtures.orders import approve, order_form
from tests.integration.statements.helpers import Credit, camt053

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def _account(user_type: str, email: str, mobile: str, permissions: list[str] | None = None) -> dict:
    return accounts.create_account({"email": email, "country_code": "+44", "mobile": mobile,
                                    "legal_name": email.split("@")[0].title(), "password": PASSWORD,
                                    "user_type": user_type, "permissions": permissions or []},
                                   event="signup" if user_type == "investor" else "role.created")


def _sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def test_staff_upload_a_statement_and_the_investors_order_turns_paid(app, db, browser: Browser, base_url: str,
                                                                     tmp_path):
    offering = list_offering(db, offering_doc(fee=150, title="Dockside Lofts"))
    investor = _account("investor", "stmt-investor@example.com", "7700900123")
    db.users.update_one({"_id": investor["_id"]}, {"$set": {"kycStatus": "approved", "isKyc": True}})
    approve(db, investor, offering)
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(20))  # $2,030.00 due
    _account("subadmin", "stmt-staff@example.com", "7700900124", ["orders"])

    watching = browser.new_context().new_page()
    _sign_in(watching, base_url, "stmt-investor@example.com")
    watching.goto(f"{base_url}/orders/{order['_id']}")
    expect(watching.get_by_test_id("order-status")).to_contain_text("Waiting for your payment")

    statement = tmp_path / "statement-2026-12-04.xml"
    statement.write_bytes(camt053("E2E-1", [Credit("E2E-0001", "2030.00", f"Dockside {order['paymentReference']}"),
                                            Credit("E2E-0002", "75.00", "no reference at all")]))
    staff = browser.new_context().new_page()
    _sign_in(staff, base_url, "stmt-staff@example.com")
    staff.goto(f"{base_url}/admin/orders/statements")
    staff.get_by_label("Statement file (ISO 20022 camt.053 XML, or CSV)").set_input_files(str(statement))
    staff.get_by_role("button", name="Upload and match").click()
    expect(staff.get_by_text("Statement read: 1 settled")).to_be_visible()
    expect(staff.locator('[data-testid="entry-row"][data-status="settled"]')).to_contain_text(order["paymentReference"])
    staff.get_by_role("link", name="All statements").click()
    expect(staff.get_by_test_id("entry-reason")).to_contain_text("No order reference")

    expect(watching.get_by_test_id("order-status")).to_contain_text("Payment received", timeout=15_000)
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "settled"
