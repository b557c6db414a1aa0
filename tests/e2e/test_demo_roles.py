"""A newcomer on a platform with the living demo (`flask demo seed`, as the first `make run` does) finds content,
then signs in with each demo login and finds that role's work: holdings, offerings, back-office queues."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.demo import people

pytestmark = pytest.mark.e2e
LIVE = ("Harbourside Lofts", "Canal Street Offices", "Old Mill Cottages")
IN_REVIEW = "Seafront Residences"


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_visitor_lands_on_a_marketplace_with_offerings(page: Page, demo_site):
    page.goto(demo_site["url"] + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace").click()
    for title in LIVE:
        expect(page.get_by_role("link", name=re.compile(title)).first).to_be_visible()
    expect(page.get_by_text(IN_REVIEW)).to_have_count(0)  # not approved: not listed
    page.get_by_role("link", name=re.compile(LIVE[0])).first.click()
    expect(page.get_by_role("heading", name=LIVE[0]).first).to_be_visible()
    cover = page.locator("img[src*='cover'], img[alt*='Harbourside']").first
    expect(cover).to_be_visible()


def test_the_demo_investor_sees_holdings(page: Page, demo_site):
    sign_in(page, demo_site["url"], people.INVESTORS[0].email, demo_site["password"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Portfolio").click()
    holdings = page.get_by_role("main")
    expect(holdings).to_contain_text("HBLOFT")
    expect(holdings).to_contain_text("CANAL")
    expect(page.get_by_test_id("balance")).to_have_count(2)
    expect(page.get_by_test_id("balance").first).to_have_text(re.compile(r"^(20|8)$"))


def test_the_demo_issuer_sees_their_offerings(page: Page, demo_site):
    sign_in(page, demo_site["url"], people.ISSUER_PERSON.email, demo_site["password"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Issuer").click()
    main = page.get_by_role("main")
    for title in (*LIVE, IN_REVIEW):
        expect(main.get_by_text(title, exact=True).first).to_be_visible()
    expect(main).to_contain_text(re.compile("live", re.I))


def test_the_demo_admin_finds_the_queues(page: Page, demo_site):
    sign_in(page, demo_site["url"], people.ADMIN_PERSON.email, demo_site["password"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Back office")).to_be_visible()
    page.goto(demo_site["url"] + "/admin/offerings/")
    expect(page.get_by_role("row").filter(has_text=IN_REVIEW)).to_contain_text(re.compile("submitted", re.I))
    page.goto(demo_site["url"] + "/admin/orders/")
    for person in people.INVESTORS:  # each investor's orders, by email or by name
        expect(page.get_by_text(re.compile(f"{re.escape(person.email)}|{person.name}")).first).to_be_visible()
