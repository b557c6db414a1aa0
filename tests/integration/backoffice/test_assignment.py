"""Offering assignment: a reviewer and a transfer agent assigned separately, each mailed and finding the offering in
their queue; only the assigned reviewer (or an admin) decides, only the assigned agent (or an admin) takes the
transfer agent's step of whitelisting."""

from __future__ import annotations

from bson import ObjectId

from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, post, signed_in_client


def _submitted(db) -> dict:
    issuer = make_user("issuer")
    return list_offering(db, offering_doc(status="submitted", title="Mill Lane Studios", createdBy=str(issuer["_id"])))


def _signed_request(db, offering) -> ObjectId:
    investor = make_user("investor")
    wid = ObjectId()
    db.whitelists.insert_one({"_id": wid, "userId": investor["_id"], "offeringId": offering["_id"],
                              "address": "0x" + "12" * 20, "status": "signed", "taStatus": "pending",
                              "offeringTitle": "Mill Lane Studios", "userEmail": investor["email"]})
    return wid


def test_reviewer_and_agent_are_assigned_apart_told_by_mail_and_only_they_act(app, db, auth):
    offering = _submitted(db)
    oid = offering["_id"]
    admin = auth("admin")
    reviewer, other = (make_user("subadmin", permissions=["offerings"]) for _ in range(2))
    agent = make_user("subadmin", permissions=["kyc"])  # any staff member may be an offering's transfer agent

    assert post(admin, f"/admin/offerings/{oid}/assign", {"role": "reviewer", "person": str(agent["_id"])}
                ).status_code == 303  # not a reviewer: refused with the reason on the page
    assert "Choose a reviewer from the list." in admin.get(f"/admin/offerings/{oid}").text
    post(admin, f"/admin/offerings/{oid}/assign", {"role": "reviewer", "person": str(reviewer["_id"])})
    post(admin, f"/admin/offerings/{oid}/assign", {"role": "transfer_agent", "person": str(agent["_id"])})
    details = db.offerings.find_one({"_id": oid})["projectDetails"]
    assert (details["reviewerId"], details["taId"], details["isTransferAgent"]) == (
        str(reviewer["_id"]), str(agent["_id"]), True)
    to_reviewer = db.outbox.find_one({"to": reviewer["email"]})
    to_agent = db.outbox.find_one({"to": agent["email"]})
    assert "reviewer of Mill Lane Studios" in to_reviewer["subject"]
    assert f"/admin/offerings/{oid}" in to_reviewer["body"]
    assert "transfer agent" in to_agent["subject"] and f"/admin/whitelist/?offering={oid}" in to_agent["body"]
    assert {e["event"] for e in db.auditLogs.find({"details.offeringId": str(oid)})} == {
        "offering.assigned", "offering.ta_assigned"}

    reviewer_client, other_client = signed_in_client(app, reviewer), signed_in_client(app, other)
    assert "Mill Lane Studios" in reviewer_client.get("/admin/offerings/?mine=reviewer").text
    assert "Mill Lane Studios" not in other_client.get("/admin/offerings/?mine=reviewer").text
    assert "Mill Lane Studios" in other_client.get("/admin/offerings/").text
    page = other_client.get(f"/admin/offerings/{oid}").text
    assert 'data-testid="not-your-review"' in page and 'value="approve"' not in page

    refused = post(other_client, f"/admin/offerings/{oid}/decision", {"decision": "approve"})
    assert refused.status_code == 403 and db.offerings.find_one({"_id": oid})["status"] == "submitted"
    assert post(reviewer_client, f"/admin/offerings/{oid}/decision", {"decision": "approve"}).status_code == 303
    assert db.offerings.find_one({"_id": oid})["status"] == "approved"

    agent_client = signed_in_client(app, agent)
    assert "Mill Lane Studios" in agent_client.get("/admin/whitelist/").text  # the agent's queue
    first, second = _signed_request(db, offering), _signed_request(db, offering)
    compliance = signed_in_client(app, make_user("subadmin", permissions=["whitelist", "offerings"]))
    assert post(compliance, f"/admin/whitelist/{first}/ta-decision", {"decision": "approved"}).status_code == 403
    assert post(other_client, f"/admin/whitelist/{first}/ta-decision", {"decision": "approved"}).status_code == 404
    assert db.whitelists.find_one({"_id": first})["taStatus"] == "pending"
    assert post(agent_client, f"/admin/whitelist/{first}/ta-decision", {"decision": "approved"}).status_code == 303
    assert db.whitelists.find_one({"_id": first})["taStatus"] == "approved"
    assert post(admin, f"/admin/whitelist/{second}/ta-decision", {"decision": "approved"}).status_code == 303
    assert db.whitelists.find_one({"_id": second})["taStatus"] == "approved"


def test_an_admin_decides_whoever_is_assigned_and_nobody_assigned_leaves_it_to_any_reviewer(app, db, auth):
    assigned, unassigned = _submitted(db), _submitted(db)
    reviewer = make_user("subadmin", permissions=["offerings"])
    admin = auth("admin")
    post(admin, f"/admin/offerings/{assigned['_id']}/assign", {"role": "reviewer", "person": str(reviewer["_id"])})
    assert post(admin, f"/admin/offerings/{assigned['_id']}/decision",
                {"decision": "reject", "reason": "Title deeds missing", "confirm": "yes"}).status_code == 303
    assert db.offerings.find_one({"_id": assigned["_id"]})["status"] == "rejected"
    anyone = auth("subadmin", permissions=["offerings"])
    assert post(anyone, f"/admin/offerings/{unassigned['_id']}/decision", {"decision": "approve"}).status_code == 303
    assert db.offerings.find_one({"_id": unassigned["_id"]})["status"] == "approved"
    for outsider in (auth("investor"), auth("subadmin", permissions=["orders"])):
        assert post(outsider, f"/admin/offerings/{assigned['_id']}/assign",
                    {"role": "reviewer", "person": str(outsider.user["_id"])}).status_code == 403
