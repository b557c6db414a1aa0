"""The KYC review queue and decisions, issuer applications, and who may open which page."""

from __future__ import annotations

import re

import pytest
from bson import ObjectId

from app.data import outbox, user_details, users
from tests.fixtures.processes import run_jobs
from tests.integration.onboarding.conftest import PDF, complete_individual, form_post, page, signed_in, upload


@pytest.fixture
def submitted(investor_client):
    complete_individual(investor_client)
    assert form_post(investor_client, "/onboarding/kyc/submit").status_code == 303
    return investor_client


def staff_client(app, permissions):
    client = app.test_client()
    client.user = signed_in(client, "subadmin", permissions=permissions)
    return client


def test_reviewer_sees_the_queue_and_the_data_in_clear(app, submitted):
    reviewer = staff_client(app, ["kyc"])
    queue = page(reviewer, "/admin/review/kyc")
    assert queue.status_code == 200 and submitted.user["email"] in queue.text
    detail = page(reviewer, f"/admin/review/kyc/{submitted.user['_id']}")
    assert detail.status_code == 200 and "AB1234567" in detail.text and "Download front of the document" in detail.text


@pytest.mark.parametrize("path", ["/admin/review/kyc", "/admin/review/kyc/{id}"])
def test_a_subadmin_without_kyc_and_other_investors_cannot_review(app, submitted, path):
    url = path.format(id=submitted.user["_id"])
    assert page(staff_client(app, ["issuer_requests", "orders"]), url).status_code == 403
    other = app.test_client()
    signed_in(other)
    assert page(other, url).status_code == 403


def test_a_subadmin_without_kyc_cannot_decide(app, db, submitted):
    outsider = staff_client(app, ["orders"])
    response = form_post(outsider, f"/admin/review/kyc/{submitted.user['_id']}/decision",
                         {"decision": "approve", "reason": ""})
    assert response.status_code == 403
    assert users.by_id(db, ObjectId(submitted.user["_id"]))["kycStatus"] == "submitted"


def test_changes_requested_unlock_chosen_steps_and_the_investor_resubmits(app, db, submitted):
    reviewer = staff_client(app, ["kyc"])
    url = f"/admin/review/kyc/{submitted.user['_id']}/decision"
    missing_reason = form_post(reviewer, url, {"decision": "changes", "steps": ["address"]})
    assert missing_reason.status_code == 303
    assert users.by_id(db, ObjectId(submitted.user["_id"]))["kycStatus"] == "submitted"
    form_post(reviewer, url, {"decision": "changes", "reason": "The postcode does not match the document",
                              "steps": ["address"]})
    user = users.by_id(db, ObjectId(submitted.user["_id"]))
    assert user["kycStatus"] == "changesRequested" and user["kycReason"].startswith("The postcode")
    status = page(submitted, "/onboarding/")
    assert "The postcode does not match the document" in status.text and "Correct and resubmit" in status.text
    resume = page(submitted, "/onboarding/kyc")
    assert resume.headers["Location"].endswith("/onboarding/kyc/address")
    fixed = form_post(submitted, "/onboarding/kyc/address", {"address": "2 Harbour Way", "city": "Bristol",
                                                             "zipCode": "BS1 5TT", "country": "GB"})
    assert fixed.status_code == 200
    assert form_post(submitted, "/onboarding/kyc/submit").status_code == 303
    assert user_details.get(db, ObjectId(submitted.user["_id"]))["address"]["zipCode"] == "BS1 5TT"


def test_approval_by_a_reviewer_queues_the_identity_job(app, db, submitted):
    reviewer = staff_client(app, ["kyc"])
    form_post(reviewer, f"/admin/review/kyc/{submitted.user['_id']}/decision", {"decision": "approve"})
    user = users.by_id(db, ObjectId(submitted.user["_id"]))
    assert user["isKyc"] is True and user["kycStatus"] == "approved" and user["kycCount"] == 1
    assert run_jobs("chain") == 1  # no wallet yet: the job finds nothing to create


def test_issuer_application_approved_and_rejected_with_mail(app, db):
    applicant = app.test_client()
    applicant.user = signed_in(applicant)
    refused = page(applicant, "/onboarding/issuer")
    assert refused.status_code == 200
    early = form_post(applicant, "/onboarding/issuer", {"name": "Harbour Ltd"})
    assert early.status_code == 409 and "Complete identity verification" in early.text
    users.set_fields(db, ObjectId(applicant.user["_id"]), {"isKyc": True, "kycStatus": "approved"})
    bad = form_post(applicant, "/onboarding/issuer", {"name": "Harbour Ltd", "entityType": "company",
                                                      "business": "Property", "sourceOfFunds": "Equity",
                                                      "document": upload(b"<html></html>", "cert.pdf")},
                    content_type="multipart/form-data")
    assert bad.status_code == 422 and "Only PDF" in bad.text and 'value="Harbour Ltd"' in bad.text
    good = form_post(applicant, "/onboarding/issuer", {"name": "Harbour Ltd", "entityType": "company",
                                                       "business": "Property", "sourceOfFunds": "Equity",
                                                       "document": upload(PDF, "cert.pdf")},
                     content_type="multipart/form-data")
    assert good.status_code == 303
    kyc_only = staff_client(app, ["kyc"])
    assert page(kyc_only, "/admin/review/issuers").status_code == 403
    officer = staff_client(app, ["issuer_requests"])
    listing = page(officer, "/admin/review/issuers")
    assert "Harbour Ltd" in listing.text
    document = re.search(r'href="(/onboarding/documents/[^"]+)"', listing.text).group(1)
    assert page(officer, document).status_code == 200
    form_post(officer, f"/admin/review/issuers/{applicant.user['_id']}/decision", {"decision": "approve"})
    user = users.by_id(db, ObjectId(applicant.user["_id"]))
    assert (user["isIssuer"], user["issuerStatus"], user["userType"]) == (True, "approved", "issuer")
    mails = [m for m in db[outbox.NAME].find({"to": user["email"]}) if "issuer" in m["subject"].lower()]
    assert mails and "approved" in mails[0]["subject"]
    assert page(applicant, "/issuer/").status_code == 200


def test_issuer_rejection_needs_a_reason_and_mails_it(app, db):
    applicant = app.test_client()
    applicant.user = signed_in(applicant)
    users.set_fields(db, ObjectId(applicant.user["_id"]), {"isKyc": True, "issuerStatus": "pending"})
    officer = staff_client(app, ["issuer_requests"])
    url = f"/admin/review/issuers/{applicant.user['_id']}/decision"
    form_post(officer, url, {"decision": "reject", "confirm": "yes"})
    assert users.by_id(db, ObjectId(applicant.user["_id"]))["issuerStatus"] == "pending"
    form_post(officer, url, {"decision": "reject", "reason": "The certificate is not legible", "confirm": "yes"})
    user = users.by_id(db, ObjectId(applicant.user["_id"]))
    assert user["issuerStatus"] == "rejected" and user["isIssuer"] is False
    mail = db[outbox.NAME].find_one({"to": user["email"], "subject": "Your issuer application"})
    assert "The certificate is not legible" in mail["body"]
    assert "not approved: The certificate is not legible" in page(applicant, "/onboarding/").text


def test_an_application_not_submitted_cannot_be_decided(app, db, investor_client):
    reviewer = staff_client(app, ["kyc"])
    response = form_post(reviewer, f"/admin/review/kyc/{investor_client.user['_id']}/decision",
                         {"decision": "approve"})
    assert response.status_code == 303
    assert page(reviewer, response.headers["Location"]).text.count("Only a submitted application can be decided.")
    assert not users.by_id(db, ObjectId(investor_client.user["_id"])).get("isKyc")
