"""The whitelisting page says a refusal once, marks its stages done/current/next from the real state, and the
offering page's call to invest names the same next step."""

from __future__ import annotations

import re

from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import eligible_investor
from tests.integration.whitelist.conftest import form


def current_stage(page: str) -> str:
    return re.search(r'<li class="stage stage-current" aria-current="step">.*?</li>', page, re.S).group(0)


def test_a_refused_request_is_said_once(app, offering):
    browser = signed_in_client(app, eligible_investor(kyc=False))
    refused = form(browser, f"/invest/{offering['_id']}/whitelist/")
    assert refused.status_code == 422
    assert refused.text.count("Complete identity verification (KYC) first") == 1
    listing = browser.get(f"/offerings/{offering['_id']}").text
    assert "Finish identity verification (KYC) to invest." in listing
    assert 'href="/onboarding/kyc"' in listing.split('id="invest-title"')[1]


def test_the_whitelisting_stepper_follows_the_request(app, offering, esign_sandbox):
    browser = signed_in_client(app, eligible_investor())
    page = browser.get(f"/invest/{offering['_id']}/whitelist/").text
    assert "Request" in current_stage(page) and "stage-done" not in page
    listing = browser.get(f"/offerings/{offering['_id']}").text
    assert "Ask to be whitelisted" in listing and ">Request whitelisting</a>" in listing
    assert form(browser, f"/invest/{offering['_id']}/whitelist/").status_code in (200, 303)
    page = browser.get(f"/invest/{offering['_id']}/whitelist/").text
    assert "Sign the agreement" in current_stage(page)
    assert '<li class="stage stage-done">' in page.split("Sign the agreement")[0]


def test_the_back_office_lists_requests_in_human_terms(app, offering, esign_sandbox):
    browser = signed_in_client(app, eligible_investor())
    form(browser, f"/invest/{offering['_id']}/whitelist/")
    staff = signed_in_client(app, make_user("subadmin", permissions=["whitelist"]))
    listing = staff.get("/admin/whitelist/").text
    assert "Waiting for the investor&#39;s signature" in listing and "Waiting for the transfer agent" in listing
    assert ">pending_signature<" not in listing and "<td>pending</td>" not in listing and " UTC" in listing
