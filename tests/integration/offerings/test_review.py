"""The back office reviews offerings: queue, permissions, assignment, comments, decisions, emails, audit."""

import pytest
from bson import ObjectId

from tests.fixtures.accounts import login, make_user, post
from tests.integration.offerings.conftest import fill_wizard


@pytest.fixture
def submitted(issuer_client) -> str:
    offering_id = fill_wizard(issuer_client)
    assert post(issuer_client, f"/issuer/offerings/{offering_id}/submit").status_code == 303
    return offering_id


def test_the_queue_shows_submitted_offerings_and_never_drafts(admin_client, issuer_client, submitted):
    fill_wizard(issuer_client, {"overview": {"title": "Still A Draft"}})
    page = admin_client.get("/admin/offerings/").text
    assert "Harbour Lofts" in page and "Still A Draft" not in page
    assert "Harbour Lofts" not in admin_client.get("/admin/offerings/?status=approved").text


def test_sub_admins_need_the_offerings_permission(app, submitted):
    without, with_it = app.test_client(), app.test_client()
    login(without, make_user("subadmin", permissions=["kyc"]))
    login(with_it, make_user("subadmin", permissions=["offerings"]))
    assert without.get("/admin/offerings/").status_code == 403
    assert without.get(f"/admin/offerings/{submitted}").status_code == 403
    assert post(without, f"/admin/offerings/{submitted}/decision", {"decision": "approve"}).status_code == 403
    assert with_it.get(f"/admin/offerings/{submitted}").status_code == 200


def test_request_changes_reopens_the_wizard_and_emails_the_issuer(admin_client, issuer_client, db, issuer,
                                                                 submitted):
    refused = post(admin_client, f"/admin/offerings/{submitted}/decision", {"decision": "request_changes"})
    assert "Give the issuer a reason." in admin_client.get(refused.headers["Location"]).text
    post(admin_client, f"/admin/offerings/{submitted}/decision",
         {"decision": "request_changes", "reason": "Add the bank approval letter."})
    doc = db.offerings.find_one({"_id": ObjectId(submitted)})
    assert doc["status"] == "changes_requested" and doc["isFinalSubmission"] is False
    page = issuer_client.get(f"/issuer/offerings/{submitted}/steps/overview").text
    assert "The reviewers asked for changes: Add the bank approval letter." in page
    mail = db.outbox.find_one({"to": issuer["email"]}, sort=[("_id", -1)])
    assert "Changes requested" in mail["subject"] and "bank approval" in mail["body"]
    assert db.auditLogs.find_one({"event": "offering.changes_requested"})["details"]["offeringId"] == submitted


def test_approve_then_a_second_decision_is_refused(admin_client, db, submitted):
    post(admin_client, f"/admin/offerings/{submitted}/decision", {"decision": "approve"})
    assert db.offerings.find_one({"_id": ObjectId(submitted)})["status"] == "approved"
    again = post(admin_client, f"/admin/offerings/{submitted}/decision",
                 {"decision": "reject", "reason": "late", "confirm": "yes"})
    assert "reload to see the latest decision" in admin_client.get(again.headers["Location"]).text
    assert db.offerings.find_one({"_id": ObjectId(submitted)})["status"] == "approved"


def test_reject_needs_a_reason_and_tells_the_issuer(admin_client, db, issuer, submitted):
    post(admin_client, f"/admin/offerings/{submitted}/decision",
         {"decision": "reject", "reason": "Valuation unsupported.", "confirm": "yes"})
    assert db.offerings.find_one({"_id": ObjectId(submitted)})["status"] == "rejected"
    assert "Valuation unsupported." in db.outbox.find_one({"to": issuer["email"]}, sort=[("_id", -1)])["body"]


def test_assignment_and_comments(admin_client, admin, db, submitted):
    reviewer = make_user("subadmin", permissions=["offerings"])
    post(admin_client, f"/admin/offerings/{submitted}/assign", {"role": "reviewer", "person": str(reviewer["_id"])})
    bogus = post(admin_client, f"/admin/offerings/{submitted}/assign", {"role": "reviewer", "person": str(ObjectId())})
    assert "Choose a reviewer from the list." in admin_client.get(bogus.headers["Location"]).text
    post(admin_client, f"/admin/offerings/{submitted}/comments", {"text": "Yield looks optimistic."})
    doc = db.offerings.find_one({"_id": ObjectId(submitted)})
    assert doc["projectDetails"]["reviewerId"] == str(reviewer["_id"])
    assert doc["reviewComments"][0]["text"] == "Yield looks optimistic."
    assert {"offering.assigned", "offering.commented"} <= {e["event"] for e in db.auditLogs.find({})}


def test_unknown_offerings_are_404(admin_client):
    assert admin_client.get(f"/admin/offerings/{ObjectId()}").status_code == 404
    assert admin_client.get("/admin/offerings/not-an-id").status_code == 404


def test_the_back_office_dashboard_links_to_offering_requests(app):
    client = app.test_client()
    login(client, make_user("subadmin", permissions=["offerings"]))
    assert 'href="/admin/offerings/"' in client.get("/admin/").text
