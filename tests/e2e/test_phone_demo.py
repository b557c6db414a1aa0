"""The living demo (`flask demo seed`, as the first `make run` does) on a phone: every page each demo login
reaches by following links, at 390 px in Chromium, is no wider than the screen, has thumb-sized buttons and
fields, and has no serious or critical axe violation. The demo's pages carry what the other sweeps' state
lacks: cover images and galleries, NAV history, several holdings, offerings in every state, queues.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from app.demo import people
from tests.fixtures.pages import PHONE, crawl, phone_problems, serious_violations, sign_in

pytestmark = pytest.mark.e2e
LOGINS = {"visitor": None, "investor": people.INVESTORS[0].email, "issuer": people.ISSUER_PERSON.email,
          "admin": people.ADMIN_PERSON.email}
START = {"visitor": ["/", "/offerings"], "investor": ["/", "/portfolio/", "/portfolio/orders", "/onboarding/"],
         "issuer": ["/issuer/"], "admin": ["/admin/", "/admin/offerings/", "/admin/orders/", "/admin/whitelist/"]}


@pytest.mark.parametrize("role", list(LOGINS))
def test_each_demo_logins_pages_fit_a_phone_and_pass_axe(browser: Browser, demo_site, role):
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    if LOGINS[role]:
        sign_in(page, demo_site["url"], LOGINS[role], demo_site["password"])
    problems, opened = {}, 0
    for path in crawl(page, demo_site["url"], START[role], limit=50):
        opened += 1
        if found := phone_problems(page) + serious_violations(page):
            problems[path] = found
    assert problems == {}
    assert opened > len(START[role])  # it followed links beyond where it started
