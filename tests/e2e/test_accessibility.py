"""axe-core over each role's main pages in Chromium: no serious or critical violation, on a wide screen and
at 390 px. The axe script is the one shipped inside the pinned axe-playwright-python package (no network).

Each role's pages are found by following the links its pages show (tests/fixtures/pages.crawl) from where
that person starts, so new pages are checked too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app.data import users
from tests.fixtures.accounts import make_user
from tests.fixtures.pages import crawl, investor_with_holding, issuer_with_offerings, serious_violations, sign_in

pytestmark = pytest.mark.e2e
SCREENS = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def audit(page: Page, base_url: str, start: list[str], limit: int = 40) -> dict[str, list[str]]:
    found = {}
    for path in crawl(page, base_url, start, limit=limit):
        if violations := serious_violations(page):
            found[path] = violations
    return found


def browser_page(browser: Browser, screen: str) -> Page:
    return browser.new_context(viewport=SCREENS[screen]).new_page()


@pytest.fixture
def holder(app, platform):
    return investor_with_holding(app, platform)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_visitors_pages_have_no_serious_violations(browser: Browser, live_server, holder, screen):
    page = browser_page(browser, screen)
    offering = f"/offerings/{holder['offering']['_id']}"
    assert audit(page, live_server, ["/", "/offerings", offering, "/auth/login", "/auth/signup", "/auth/forgot",
                                     "/no/such/page"]) == {}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_an_investors_pages_have_no_serious_violations(browser: Browser, live_server, holder, screen):
    page = browser_page(browser, screen)
    sign_in(page, live_server, holder["user"]["email"])
    offering_id = holder["offering"]["_id"]
    assert audit(page, live_server, [
        "/portfolio/", "/portfolio/orders", *(f"/orders/{order['_id']}" for order in holder["orders"]),
        f"/offerings/{offering_id}", f"/invest/{offering_id}/whitelist/", f"/invest/{offering_id}/order",
        "/onboarding/", "/onboarding/kyc", "/onboarding/wallets/held", "/auth/account", "/auth/2fa"]) == {}


def test_an_issuers_pages_have_no_serious_violations(browser: Browser, live_server, app):
    issuer = issuer_with_offerings(app)
    page = browser_page(browser, "wide")
    sign_in(page, live_server, issuer["user"]["email"])
    assert audit(page, live_server, ["/issuer/", f"/issuer/offerings/{issuer['draft']}",
                                     f"/issuer/offerings/{issuer['live']['_id']}"]) == {}


@pytest.mark.parametrize("role, permissions, start", [
    ("subadmin", ["kyc"], ["/admin/"]),
    ("admin", [], ["/admin/", "/admin/orders/", "/admin/whitelist/", "/admin/offerings/", "/admin/users"]),
])
def test_staff_pages_have_no_serious_violations(browser: Browser, live_server, holder, role, permissions, start):
    user = make_user(role, permissions=permissions)
    page = browser_page(browser, "wide")
    sign_in(page, live_server, user["email"])
    assert audit(page, live_server, start) == {}


def assert_tied(page: Page, label: str, text: str) -> None:
    """The field is marked invalid and names, through aria-describedby, an element saying `text`."""
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    described = " ".join(f"#{ref}" for ref in field.get_attribute("aria-describedby").split())
    expect(page.locator(described).filter(has_text=text)).to_have_count(1)


def test_a_refused_form_ties_each_message_to_its_field(browser: Browser, live_server, app):
    """Screen readers read a field's error with the field: aria-invalid and aria-describedby name the message."""
    page = browser_page(browser, "wide")
    page.goto(live_server + "/auth/signup")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Create account").click()
    assert_tied(page, "Email", "email")
    assert serious_violations(page) == []


def test_the_issuer_application_ties_each_message_to_its_field(browser: Browser, live_server, app, db):
    user = make_user("investor")
    users.set_fields(db, user["_id"], {"isKyc": True, "kycStatus": "approved"})  # applying needs KYC first
    page = browser_page(browser, "wide")
    sign_in(page, live_server, user["email"])
    page.goto(live_server + "/onboarding/issuer")
    page.get_by_role("button", name="Send application").click()
    assert_tied(page, "Company name", "required")
    assert_tied(page, "Certificate of incorporation (PDF or image)", "certificate")
    assert serious_violations(page) == []


def test_the_check_catches_what_it_is_for(browser: Browser, live_server, app):
    """The axe run is live: an unlabelled field and an image without alt text added to a page are reported."""
    page = browser_page(browser, "wide")
    page.goto(live_server + "/auth/login")
    page.evaluate("""() => { const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text"><img src="/static/none.png">'); }""")
    found = " ".join(serious_violations(page))
    assert "label" in found and "image-alt" in found
