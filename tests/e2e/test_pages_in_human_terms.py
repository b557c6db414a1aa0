"""Every page of each role reads in human terms, in Chromium: the visible text never shows a raw ISO
timestamp, "None", "True"/"False" or a stored snake_case word ("pending_payment"). Money, dates, statuses
and yes/no go through app/formatting; this sweep finds a page that forgot.

The pages are found by following links from where each person lands (tests/fixtures/pages.crawl) on a
realistic state: a live 18-decimal offering on anvil, fiat and stablecoin orders, minted tokens, an issuer
with a draft and a live offering, and the back office over all of it. Code shown as code (addresses,
references in <code>) is left out, and closed <details> are opened so their contents are checked too.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.fixtures.accounts import make_user
from tests.fixtures.pages import crawl, investor_with_holding, issuer_with_offerings, route_of, sign_in

pytestmark = pytest.mark.e2e

RAW = {
    "ISO timestamp": re.compile(r"\d{4}-\d\d-\d\dT\d\d:"),
    "None": re.compile(r"\bNone\b"),
    "True/False": re.compile(r"\b(True|False)\b"),
    "snake_case word": re.compile(r"\b[a-z]+_[a-z_]+\b"),
}
_VISIBLE_TEXT = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const parts = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('code, pre, script, style, textarea, noscript, template')) continue;
    if (el.checkVisibility()) parts.push(walker.currentNode.textContent);
  }
  return parts.join(' ');
}"""


def raw_values(page: Page) -> list[str]:
    """What on the page is shown as stored rather than for people: '<kind>: <match>' for each."""
    text = page.evaluate(_VISIBLE_TEXT)
    text = " ".join(text.split())
    return [f"{kind}: ...{text[max(0, match.start() - 40):match.end() + 20]}..." for kind, pattern in RAW.items()
            for match in pattern.finditer(text)]


def sweep(page: Page, base_url: str, start: list[str], opened: set[str]) -> dict[str, list[str]]:
    found = {}
    for path in crawl(page, base_url, start):
        opened.add(route_of(path))
        if problems := raw_values(page):
            found[path] = sorted(set(problems))
    return found


def test_the_pattern_catches_what_it_looks_for():
    text = "Placed 2026-12-07T04:05:00 · status pending_payment · frozen False · summary None"
    assert [kind for kind, pattern in RAW.items() if pattern.search(text)] == list(RAW)
    assert not any(pattern.search("7 Dec 2026, 04:05 UTC · Awaiting payment · No · Not given")
                   for pattern in RAW.values())


def test_investor_pages_are_in_human_terms(browser: Browser, app, platform, live_server):
    state = investor_with_holding(app, platform)
    offering_id = state["offering"]["_id"]
    page, opened = browser.new_page(), set()
    sign_in(page, live_server, state["user"]["email"])
    problems = sweep(page, live_server, [
        "/", "/portfolio/", "/portfolio/orders", "/portfolio/transactions", f"/offerings/{offering_id}",
        f"/invest/{offering_id}/whitelist/", f"/invest/{offering_id}/order",
        *(f"/orders/{order['_id']}" for order in state["orders"]), "/onboarding/", "/onboarding/wallets/held",
        "/portfolio/dividends", "/auth/account"], opened=opened)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert {"/portfolio/transactions", "/orders/<id>", "/offerings/<id>"} <= opened, opened


def test_issuer_pages_are_in_human_terms(browser: Browser, app, platform, live_server):
    issuer = issuer_with_offerings(app)
    page, opened = browser.new_page(), set()
    sign_in(page, live_server, issuer["user"]["email"])
    problems = sweep(page, live_server, ["/issuer/", f"/issuer/offerings/{issuer['draft']}",
                                         f"/issuer/offerings/{issuer['live']['_id']}"], opened=opened)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert "/issuer/" in opened


def test_back_office_pages_are_in_human_terms(browser: Browser, app, platform, live_server):
    investor_with_holding(app, platform)
    page, opened = browser.new_page(), set()
    sign_in(page, live_server, make_user("admin")["email"])
    problems = sweep(page, live_server, [
        "/admin/", "/admin/orders/", "/admin/whitelist/", "/admin/review/kyc", "/admin/users",
        "/admin/offerings/", "/admin/transactions/", "/admin/transfers/", "/admin/parked-events/",
        "/admin/orders/statements", "/reports/"], opened=opened)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert {"/admin/orders/<id>", "/admin/users"} <= opened, opened
