"""A visitor opens the home page in Chromium and finds their way around."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_home_page_navigation(page: Page, base_url: str, app):  # app: an empty platform (no demo left over)
    page.goto(base_url + "/")
    expect(page).to_have_title(re.compile("Real estate, tokenized"))
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link")).to_have_text(["Marketplace"])  # a visitor sees only what they may open
    expect(page.get_by_role("banner").get_by_role("link", name="Sign up")).to_be_visible()

    navigation.get_by_role("link", name="Marketplace").click()
    expect(page).to_have_url(base_url + "/offerings")
    expect(page.get_by_role("heading", name="Marketplace")).to_be_visible()
    expect(navigation.get_by_role("link", name="Marketplace")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No offering is open for investment yet.")).to_be_visible()


def test_unknown_page_shows_request_id(page: Page, base_url: str):
    response = page.goto(base_url + "/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_test_id("request-id")).to_have_text(response.headers["x-request-id"])
