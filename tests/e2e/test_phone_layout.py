"""Every page at 390 px wide in Chromium, as a phone shows it: never wider than the screen, buttons and
fields at least 44 px tall, and a header whose menu opens and closes without JavaScript.

The pages are found, not listed: each role's sweep starts where that person lands and follows every link
the pages show (tests/fixtures/pages.crawl), so a page added later is checked without editing this file.
Pages reached by a form (order review, 2FA set-up and the sign-in code) are walked to by hand.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.accounts import make_user
from tests.fixtures.pages import (
    PHONE,
    crawl,
    investor_with_holding,
    issuer_with_offerings,
    phone_problems,
    route_of,
    sign_in,
)

pytestmark = pytest.mark.e2e
def phone(browser: Browser) -> Page:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def sweep(page: Page, base_url: str, start: list[str], opened: set[str] | None = None) -> dict[str, list[str]]:
    """Each reachable page's phone problems (only pages that have some); adds the routes opened to `opened`."""
    found = {}
    for path in crawl(page, base_url, start):
        if opened is not None:
            opened.add(route_of(path))
        if problems := phone_problems(page):
            found[path] = problems
    return found


def assert_fits(page: Page, what: str) -> None:
    assert phone_problems(page) == [], what


def test_every_investor_page_fits_a_phone(browser: Browser, app, platform, live_server):
    state = investor_with_holding(app, platform)
    offering_id = state["offering"]["_id"]
    visitor = phone(browser)
    problems = sweep(visitor, live_server, ["/", "/offerings", f"/offerings/{offering_id}", "/auth/login",
                                            "/auth/signup", "/auth/forgot", "/no/such/page"])

    investor, opened = phone(browser), set()
    sign_in(investor, live_server, state["user"]["email"])
    problems |= sweep(investor, live_server, opened=opened, start=[
        "/", "/portfolio/", "/portfolio/orders", f"/offerings/{offering_id}", f"/invest/{offering_id}/whitelist/",
        f"/invest/{offering_id}/order", *(f"/orders/{order['_id']}" for order in state["orders"]),
        "/onboarding/", "/onboarding/wallets/held", "/auth/account", "/auth/2fa",
        "/admin/"])  # /admin/: the 403 page an investor meets
    assert problems == {}
    # The sweep reached the investor's areas by their links (a crawl that stopped early would pass vacuously).
    assert {"/portfolio/transactions", "/portfolio/dividends", "/orders/<id>", "/offerings/<id>"} <= opened, opened

    # The order's review step is a form's answer, not a link.
    investor.goto(f"{live_server}/invest/{offering_id}/order")
    investor.get_by_label("Number of tokens").fill("11")
    investor.get_by_role("button", name="Review order").click()
    expect(investor.get_by_role("button", name="Confirm order")).to_be_visible()
    assert_fits(investor, "order review")


def test_a_new_investors_onboarding_and_two_factor_pages_fit_a_phone(browser: Browser, app, live_server):
    """KYC steps, wallet connection and 2FA set-up, recovery codes and the sign-in code, at 390 px."""
    user = make_user("investor")
    page = phone(browser)
    sign_in(page, live_server, user["email"])
    problems = sweep(page, live_server, ["/onboarding/", "/onboarding/kyc", "/auth/account"])
    assert problems == {}

    page.goto(live_server + "/onboarding/kyc")
    page.get_by_role("button", name="As an individual").click()
    assert_fits(page, "a KYC step")
    step = urlsplit(page.url).path
    assert sweep(page, live_server, [step]) == {}  # the wizard's other steps, by its step links
    page.goto(live_server + step)
    page.get_by_role("button", name="Save and continue").click()  # empty: the step answers with its errors
    expect(page.locator(".field-error").first).to_be_visible()
    assert_fits(page, "a KYC step with errors")

    page.goto(live_server + "/auth/2fa")
    page.get_by_role("button", name="Set up two-factor authentication").click()
    assert_fits(page, "2FA set-up with its QR code")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    assert_fits(page, "recovery codes")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(user["plain_password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert_fits(page, "the sign-in code page")


def test_issuer_pages_fit_a_phone(browser: Browser, app, live_server):
    issuer = issuer_with_offerings(app)
    page = phone(browser)
    sign_in(page, live_server, issuer["user"]["email"])
    assert sweep(page, live_server, ["/issuer/", f"/issuer/offerings/{issuer['draft']}",
                                     f"/issuer/offerings/{issuer['live']['_id']}"]) == {}


def test_back_office_main_pages_fit_a_phone(browser: Browser, app, platform, live_server):
    investor_with_holding(app, platform)  # orders, a whitelist entry and an offering to list
    page = phone(browser)
    sign_in(page, live_server, make_user("admin")["email"])
    assert sweep(page, live_server, ["/admin/", "/admin/orders/", "/admin/whitelist/", "/admin/review/kyc",
                                     "/admin/users", "/admin/offerings/"]) == {}


def test_the_header_menu_opens_and_closes_on_a_phone_without_javascript(browser: Browser, live_server, app):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    menu = page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace")
    expect(menu).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(menu).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign up")).to_be_visible()
    page.get_by_text("Menu", exact=True).click()
    expect(menu).to_be_hidden()
    context.close()


def test_the_header_menu_works_from_the_keyboard(browser: Browser, live_server, app):
    page = phone(browser)
    page.goto(live_server + "/")
    marketplace = page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace")
    expect(marketplace).to_be_hidden()
    page.keyboard.press("Tab")  # the skip link
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the menu button
    page.keyboard.press("Enter")
    expect(marketplace).to_be_visible()
    assert marketplace.bounding_box()["height"] >= 44  # a thumb-sized row
    page.keyboard.press("Tab")
    expect(marketplace).to_be_focused()


def test_on_a_wide_screen_the_links_show_without_a_menu_button(page: Page, live_server, app):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server + "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace")).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
