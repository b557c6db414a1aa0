"""A page someone may not open yet says why and what to do next (still 403), and the header offers only
the pages the person may open (access.nav_items)."""

from __future__ import annotations

import pytest
from flask import url_for

from app.access import nav_items
from app.data import users
from app.data.mongo import get_db


def _reason(page) -> str:
    assert page.status_code == 403
    return page.text


def test_a_new_investor_is_shown_the_issuer_path_from_the_start(auth):
    client = auth("investor")
    page = _reason(client.get("/issuer/"))
    assert "Issuer pages open once your issuer application is approved" in page
    assert "First verify your identity" in page
    assert 'href="/onboarding/kyc"' in page and "Start identity verification" in page


def test_a_verified_investor_is_sent_to_the_issuer_application(auth):
    client = auth("investor")
    users.set_fields(get_db(), client.user["_id"], {"isKyc": True, "kycStatus": "approved"})
    page = _reason(client.get("/issuer/"))
    assert "Apply to become an issuer" in page and 'href="/onboarding/issuer"' in page


def test_a_pending_application_says_it_is_being_reviewed(auth):
    client = auth("investor")
    users.set_fields(get_db(), client.user["_id"], {"isKyc": True, "issuerStatus": "pending"})
    page = _reason(client.get("/issuer/"))
    assert "It is being reviewed now" in page and "See your application" in page


def test_a_rejected_application_gives_the_reason_and_the_way_back(auth):
    client = auth("investor")
    users.set_fields(get_db(), client.user["_id"], {"isKyc": True, "issuerStatus": "rejected",
                                                    "issuerReason": "The certificate is unreadable"})
    page = _reason(client.get("/issuer/"))
    assert "was not approved: The certificate is unreadable" in page and "Apply again" in page


def test_an_investor_meets_the_back_office_with_a_way_to_the_marketplace(auth):
    page = _reason(auth("investor").get("/admin/"))
    assert "The back office is for Libertum&#39;s staff" in page or "The back office is for Libertum's staff" in page
    assert "Browse the marketplace" in page


def test_an_issuer_is_sent_from_the_portfolio_to_the_issuer_area(auth):
    page = _reason(auth("issuer").get("/portfolio/"))
    assert "your account raises capital" in page and 'href="/issuer/"' in page


def test_a_subadmin_without_the_permission_is_told_which_one(auth):
    page = _reason(auth("subadmin", permissions=["orders"]).get("/admin/review/kyc"))
    assert "needs the “KYC review” permission" in page and "Ask an admin" in page


def test_htmx_and_json_get_the_reason_too(auth):
    client = auth("investor")
    answer = client.get("/issuer/", headers={"Accept": "application/json"})
    assert answer.status_code == 403
    assert "Issuer pages open once" in answer.get_json()["message"]


@pytest.mark.parametrize(("role", "expected"), [
    (None, ["Marketplace"]),
    ("investor", ["Marketplace", "Portfolio", "Transfers", "Onboarding"]),
    ("issuer", ["Marketplace", "Onboarding", "Issuer"]),
    ("admin", ["Marketplace", "Onboarding", "Admin"]),
])
def test_the_header_offers_only_what_the_person_may_open(app, role, expected):
    user = None if role is None else {"_id": "x", "userType": role}
    assert [item.label for item in nav_items(user)] == expected


def test_every_link_offered_opens(auth):
    for role in ("investor", "issuer", "admin"):
        client = auth(role)
        for item in nav_items(client.user):
            with client.application.test_request_context():
                url = url_for(item.endpoint)
            assert client.get(url).status_code == 200, (role, url)
