"""Each identity-verification and issuer-application stage says what happens next and links the next page:
for an investor (a wallet, then offerings) and for someone who came to raise capital (the issuer path)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from bson import ObjectId

from app.data import users
from tests.integration.onboarding.conftest import PDF, complete_individual, form_post, page, signed_in, upload

CHECK = "We check your documents, usually within one working day, and email you the decision."


def next_box(html: str, box_id: str) -> tuple[str, str | None]:
    """(text, link) of the 'What happens next' box `box_id` on the page; AssertionError when it is missing."""
    found = re.search(rf'<div class="what-next" id="{box_id}"[^>]*>(.*?)</div>', html, re.S)
    assert found, f"no {box_id} box"
    link = re.search(r'href="([^"]+)"', found.group(1))
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())
    return text, link.group(1) if link else None


def reviewer(app):
    client = app.test_client()
    signed_in(client, "subadmin", permissions=["kyc"])
    return client


@pytest.fixture(params=["invest", "raise"])
def person(request, app):
    client = app.test_client()
    client.user = signed_in(client, "investor", signup_goal=request.param)
    client.goal = request.param
    return client


def test_the_wizard_and_the_status_page_say_what_follows_each_stage(app, db, person):
    raising = person.goal == "raise"
    start = next_box(page(person, "/onboarding/").text, "kyc-next")
    assert start[0].startswith("What happens next: It takes about five minutes.")

    complete_individual(person)
    before, link = next_box(page(person, "/onboarding/kyc/review").text, "kyc-next")
    assert f"After you submit, your details are locked. {CHECK}" in before and link is None
    assert ("you apply as an issuer" in before) is raising and ("connect a wallet" in before) is not raising

    assert form_post(person, "/onboarding/kyc/submit").status_code == 303
    waiting, link = next_box(page(person, "/onboarding/").text, "kyc-next")
    assert CHECK in waiting
    assert link == ("/auth/raise-capital" if raising else None)
    locked, _ = next_box(page(person, "/onboarding/kyc/review").text, "kyc-next")
    assert CHECK in locked  # the wizard, read-only now, says it too

    decided = form_post(reviewer(app), f"/admin/review/kyc/{person.user['_id']}/decision", {"decision": "approve"})
    assert decided.status_code == 303
    approved, link = next_box(page(person, "/onboarding/").text, "kyc-next")
    if raising:  # the issuer path's current step, as /auth/raise-capital shows it
        assert "Next, we review it." in approved and link == "/onboarding/issuer"
        assert "Apply as an issuer" in page(person, "/auth/raise-capital").text
    else:
        assert "connect a wallet below" in approved and link == "/offerings"


def test_a_rejection_says_to_correct_and_resubmit(app, db, person):
    complete_individual(person)
    assert form_post(person, "/onboarding/kyc/submit").status_code == 303
    form_post(reviewer(app), f"/admin/review/kyc/{person.user['_id']}/decision",
              {"decision": "reject", "reason": "The photo is blurred", "confirm": "yes"})
    text, _ = next_box(page(person, "/onboarding/").text, "kyc-next")
    assert "Correct what the reviewer asked for and submit again." in text and CHECK in text


def test_the_issuer_application_says_what_follows_before_and_after_sending(app, db, person):
    users.set_fields(db, ObjectId(person.user["_id"]), {"isKyc": True, "kycStatus": "approved"})
    before, _ = next_box(page(person, "/onboarding/issuer").text, "issuer-next")
    assert "After you send it: We check your company and email you the decision." in before
    assert "Then you create your first offering" in before
    sent = form_post(person, "/onboarding/issuer", {"name": "Harbour Ltd", "entityType": "company",
                                                    "business": "Property", "sourceOfFunds": "Equity",
                                                    "document": upload(PDF, "cert.pdf")},
                     content_type="multipart/form-data")
    assert sent.status_code == 303
    status_page = page(person, "/onboarding/").text
    after, link = next_box(status_page, "issuer-next")
    assert "We check your company and email you the decision. Once approved, you create your first offering." \
        in after and link == "/auth/raise-capital"
    kyc_next, _ = next_box(status_page, "kyc-next")  # the issuer part says the review, once
    assert "We check your company" not in kyc_next
    assert ("issuer application is with us" in kyc_next) is (person.goal == "raise")
    assert ("connect a wallet below" in kyc_next) is (person.goal == "invest")
