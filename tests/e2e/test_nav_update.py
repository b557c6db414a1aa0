"""NAV update in Chromium: the issuer proposes a new NAV with its PDF report, an admin approves it, and the
offering page's chart and table and an investor's portfolio value show the new NAV."""

from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from playwright.sync_api import Browser, Page, expect

from tests.factories import PDF_BYTES, list_offering, offering_doc
from tests.fixtures.accounts import make_user
from tests.fixtures.chain_events import apply, log_message
from tests.fixtures.orders import approve
from tests.fixtures.pages import phone_problems, serious_violations, sign_in

pytestmark = pytest.mark.e2e
ZERO = "0x0000000000000000000000000000000000000000"


def test_issuer_proposes_admin_approves_page_and_portfolio_follow(page: Page, browser: Browser, base_url: str, db):
    issuer, investor, admin = make_user("issuer"), make_user("investor"), make_user("admin")
    offering = list_offering(db, offering_doc(title="Quayside Yard", createdBy=issuer["_id"],
                                              tokenAddress=Account.create().address))
    wallet = approve(db, investor, offering)
    apply(db, log_message("Transfer", offering["tokenAddress"], {"from": ZERO, "to": wallet, "value": 30}))
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()

    sign_in(page, base_url, issuer["email"])
    page.goto(f"{base_url}/issuer/offerings/{offering['_id']}/dashboard")
    page.get_by_test_id("nav-link").click()
    page.get_by_label("New NAV per token").fill("125.50")
    page.get_by_label("Effective date").fill(yesterday)
    page.get_by_label("Valuer").fill("Knight Frank LLP")
    page.get_by_label("Valuation method").select_option(label="Income capitalisation")
    page.get_by_label("Valuation report").set_input_files(
        {"name": "valuation.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_test_id("pending-notice")).to_contain_text("$125.50 per token")

    staff = browser.new_context().new_page()
    sign_in(staff, base_url, admin["email"])
    staff.goto(f"{base_url}/admin/offerings/nav-updates/")
    staff.get_by_role("row", name="Quayside Yard").get_by_role("link", name="Review").click()
    expect(staff.get_by_test_id("proposed-nav")).to_have_text("$125.50")
    staff.get_by_label("Remark (with an approval)").fill("Report and valuer checked")
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_test_id("nav-status")).to_have_text("Approved")

    holder = browser.new_context().new_page()
    sign_in(holder, base_url, investor["email"])
    holder.goto(f"{base_url}/offerings/{offering['_id']}")
    expect(holder.get_by_test_id("nav")).to_have_text("$125.50")
    expect(holder.get_by_test_id("nav-chart")).to_be_visible()
    expect(holder.get_by_role("img", name="NAV per token")).to_be_visible()
    changes = holder.get_by_test_id("nav-changes")
    expect(changes).to_contain_text("+25.5% from $100")
    expect(changes).to_contain_text("Knight Frank LLP")
    expect(holder.get_by_role("link", name=f"Valuation report, {yesterday}")).to_be_visible()
    holder.goto(f"{base_url}/portfolio/")
    expect(holder.get_by_test_id("total-value")).to_have_text("$3,765")  # 30 tokens at $125.50
    expect(holder.get_by_test_id("nav-change")).to_have_text("+25.5% since launch")


def test_nav_pages_fit_a_phone_and_pass_axe(browser: Browser, base_url: str, db):
    """The issuer's NAV page (also re-rendered with errors), the staff queue and decision page, and the offering
    page with its NAV history, at 390 px: no sideways scroll, no small targets, no serious axe violation."""
    issuer, admin = make_user("issuer"), make_user("admin")
    offering = list_offering(db, offering_doc(title="Quayside Phone", createdBy=issuer["_id"],
                                              tokenAddress=Account.create().address))
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, base_url, issuer["email"])
    phone.goto(f"{base_url}/issuer/offerings/{offering['_id']}/nav")
    phone.get_by_label("New NAV per token").fill("0")
    phone.get_by_role("button", name="Send for review").click()
    expect(phone.get_by_text("The NAV must be more than zero.")).to_be_visible()
    found = {"issuer form with errors": phone_problems(phone) + serious_violations(phone)}
    phone.get_by_label("New NAV per token").fill("101")
    phone.get_by_label("Effective date").fill(datetime.now(UTC).date().isoformat())
    phone.get_by_label("Valuer").fill("A valuer with a rather long name, Chartered Surveyors LLP")
    phone.get_by_label("Valuation method").select_option(label="Other")
    phone.get_by_label("The method, if Other").fill("Residual land value")
    phone.get_by_label("Valuation report").set_input_files(
        {"name": "valuation.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    phone.get_by_role("button", name="Send for review").click()
    expect(phone.get_by_test_id("pending-notice")).to_be_visible()
    found["issuer page with a proposal"] = phone_problems(phone) + serious_violations(phone)

    staff = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(staff, base_url, admin["email"])
    staff.goto(f"{base_url}/admin/offerings/nav-updates/")
    found["staff queue"] = phone_problems(staff) + serious_violations(staff)
    staff.get_by_role("link", name="Review").first.click()
    found["staff decision"] = phone_problems(staff) + serious_violations(staff)
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_test_id("nav-status")).to_have_text("Approved")
    staff.goto(f"{base_url}/offerings/{offering['_id']}")
    expect(staff.get_by_test_id("nav-changes")).to_contain_text("Residual land value")
    found["offering page"] = phone_problems(staff) + serious_violations(staff)
    assert {where: problems for where, problems in found.items() if problems} == {}
