"""Each refusal is a clear message on the page (nothing sent for signature), and the back office stays scoped:
investors never reach it, a transfer agent decides only for their own offering, the final decision needs
`whitelist`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bson import ObjectId

from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import eligible_investor, live_offering
from tests.integration.whitelist.conftest import form


@pytest.mark.parametrize(("who", "message"), [
    ({"kyc": False}, "Complete identity verification (KYC) first"),
    ({"wallet": False}, "Connect and verify a wallet first"),
    ({"country": "US"}, "This offering is not available to residents of your country."),
])
def test_an_ineligible_investor_is_told_why(app, db, offering, who, message):
    browser = signed_in_client(app, eligible_investor(**who))
    page = browser.get(f"/invest/{offering['_id']}/whitelist/")
    assert page.status_code == 200 and message in page.text and "Request whitelisting" not in page.text
    refused = form(browser, f"/invest/{offering['_id']}/whitelist/")
    assert refused.status_code == 422 and message in refused.text
    assert db.whitelists.count_documents({}) == 0


def test_an_offering_that_is_not_live_is_refused(app, db, platform):
    closed = live_offering(app, platform, details={"endDate": datetime(2020, 1, 1, tzinfo=UTC)})
    browser = signed_in_client(app, eligible_investor())
    refused = form(browser, f"/invest/{closed['_id']}/whitelist/")
    assert refused.status_code == 422 and "This offering is not open for investment." in refused.text
    assert form(browser, f"/invest/{ObjectId()}/whitelist/").status_code == 404
    assert form(browser, "/invest/not-an-id/whitelist/").status_code == 404
    assert db.whitelists.count_documents({}) == 0


def test_a_wallet_that_is_not_the_investors_is_refused(app, db, offering):
    browser = signed_in_client(app, eligible_investor())
    refused = form(browser, f"/invest/{offering['_id']}/whitelist/", {"address": "0x" + "b" * 40})
    assert refused.status_code == 422 and "Choose one of your verified wallets." in refused.text


def test_the_e_signature_service_down_is_a_message_and_the_investor_can_retry(app, db, offering):
    app.config["ESIGN_API_URL"] = "http://127.0.0.1:9/esign"  # nothing listens there
    browser = signed_in_client(app, eligible_investor())
    refused = form(browser, f"/invest/{offering['_id']}/whitelist/")
    assert refused.status_code == 422 and "e-signature service is not answering" in refused.text
    assert db.whitelists.count_documents({}) == 0  # the claim is released: asking again starts afresh


def test_signing_without_an_open_agreement_is_refused(app, offering):
    browser = signed_in_client(app, eligible_investor())
    refused = form(browser, f"/invest/{offering['_id']}/whitelist/sign")
    assert refused.status_code == 422 and "no agreement waiting for your signature" in refused.text


@pytest.fixture
def signed_request(db, offering):
    investor = eligible_investor()
    whitelist_id = ObjectId()
    db.whitelists.insert_one({"_id": whitelist_id, "userId": investor["_id"], "offeringId": offering["_id"],
                              "address": investor["account"].address, "status": "signed", "taStatus": "pending",
                              "is_signed": True, "is_expired": False, "envelopeId": "env-signed",
                              "requestedAt": datetime.now(UTC), "userEmail": investor["email"],
                              "offeringTitle": "Harbour"})
    return {"id": str(whitelist_id), "investor": investor}


@pytest.mark.parametrize("signed_in", ["investor", "issuer"], indirect=True)
def test_investors_and_issuers_cannot_reach_the_back_office(app, signed_request, signed_in):
    wid = signed_request["id"]
    assert signed_in.get("/admin/whitelist/").status_code == 403
    assert signed_in.get(f"/admin/whitelist/{wid}").status_code == 403
    assert form(signed_in, f"/admin/whitelist/{wid}/decision", {"decision": "approved"}).status_code == 403
    assert app.test_client().get("/admin/whitelist/").status_code == 302  # visitors meet the sign-in page


def test_a_transfer_agent_of_another_offering_cannot_see_or_decide(app, db, platform, offering, signed_request):
    wid = signed_request["id"]
    other = live_offering(app, platform)
    agent = make_user("subadmin", permissions=["offerings"])
    db.offerings.update_one({"_id": other["_id"]}, {"$set": {"projectDetails.taId": str(agent["_id"])}})
    browser = signed_in_client(app, agent)
    assert signed_request["investor"]["email"] not in browser.get("/admin/whitelist/").text
    assert browser.get(f"/admin/whitelist/{wid}").status_code == 404
    refused = form(browser, f"/admin/whitelist/{wid}/ta-decision", {"decision": "approved"})
    assert refused.status_code == 404
    assert db.whitelists.find_one({"_id": ObjectId(wid)})["taStatus"] == "pending"


def test_staff_with_whitelist_who_is_not_the_agent_cannot_record_the_agents_decision(app, db, signed_request):
    wid = signed_request["id"]
    browser = signed_in_client(app, make_user("subadmin", permissions=["whitelist"]))
    assert signed_request["investor"]["email"] in browser.get("/admin/whitelist/").text
    assert form(browser, f"/admin/whitelist/{wid}/ta-decision", {"decision": "approved"}).status_code \
        == 403
    assert db.whitelists.find_one({"_id": ObjectId(wid)})["taStatus"] == "pending"


def test_the_agent_sees_their_offering_and_a_rejection_needs_a_reason(app, db, offering, signed_request):
    wid = signed_request["id"]
    agent = make_user("subadmin", permissions=["offerings"])
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.taId": str(agent["_id"])}})
    browser = signed_in_client(app, agent)
    assert signed_request["investor"]["email"] in browser.get(
        f"/admin/whitelist/?offering={offering['_id']}&status=signed").text
    assert signed_request["investor"]["email"] not in browser.get("/admin/whitelist/?status=approved").text
    assert form(browser, f"/admin/whitelist/{wid}/decision", {"decision": "approved"}).status_code == 403
    no_reason = form(browser, f"/admin/whitelist/{wid}/ta-decision", {"decision": "rejected", "confirm": "yes"})
    assert "Give the investor a reason." in browser.get(no_reason.headers["Location"]).text
    form(browser, f"/admin/whitelist/{wid}/ta-decision",
         {"decision": "rejected", "reason": "Funds unclear", "confirm": "yes"})
    doc = db.whitelists.find_one({"_id": ObjectId(wid)})
    assert (doc["taStatus"], doc["status"], doc["whiteListReason"]) == ("rejected", "rejected", "Funds unclear")
    again = form(browser, f"/admin/whitelist/{wid}/ta-decision", {"decision": "approved"})
    assert "Only a signed request awaiting approval can be decided." in browser.get(again.headers["Location"]).text
    investor = signed_in_client(app, signed_request["investor"])
    page = investor.get(f"/invest/{offering['_id']}/whitelist/").text
    assert "Rejected" in page and "Funds unclear" in page
    assert db.auditLogs.count_documents({"event": "whitelist.ta_rejected"}) == 1


def test_an_admin_rejects_with_a_reason_and_cannot_decide_twice(app, db, signed_request):
    wid = signed_request["id"]
    admin = signed_in_client(app, make_user("admin"))
    form(admin, f"/admin/whitelist/{wid}/decision",
         {"decision": "rejected", "reason": "Sanctions hit", "confirm": "yes"})
    doc = db.whitelists.find_one({"_id": ObjectId(wid)})
    assert (doc["status"], doc["adminStatus"], doc["whiteListReason"]) == ("rejected", "rejected", "Sanctions hit")
    again = form(admin, f"/admin/whitelist/{wid}/decision", {"decision": "approved"})
    assert "already been decided" in admin.get(again.headers["Location"]).text
    assert db.chainJobs.count_documents({}) == 0


def test_the_offering_page_invites_visitors_to_sign_in_and_staff_are_not_offered_to_invest(app, offering):
    visitor = app.test_client().get(f"/offerings/{offering['_id']}").text
    assert "Sign in to invest" in visitor and "Request whitelisting" not in visitor
    staff_page = signed_in_client(app, make_user("admin")).get(f"/offerings/{offering['_id']}").text
    assert "Investing is open to investor accounts." in staff_page
    assert app.test_client().get(f"/invest/{offering['_id']}/whitelist/").status_code == 302
