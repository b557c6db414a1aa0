"""Every destructive back-office action asks first, with or without JavaScript (app/blueprints/confirm.py).

A plain POST without `confirm=yes` (a browser without JavaScript) answers with the confirmation page and changes
nothing; that page posts the same fields again (the reason typed, the decision) with the confirmation, which acts.
Under htmx the object's page carries `hx-confirm` and `hx-vals` adding the confirmation.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from bson import ObjectId

from app.data import agent_actions, amounts, chain_jobs, transfer_requests, user_details, users
from app.domain.enforcement import rules as enforcement
from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, post
from tests.fixtures.chain import eligible_investor
from tests.fixtures.orders import approve, order_form


@dataclass
class Case:
    client: object
    url: str  # where the form posts
    data: dict  # what the form posts, without the confirmation
    state: Callable[[], object]  # what the action changes
    question: str  # the confirmation page's heading
    page: str = ""  # the object's page, whose form asks under htmx


def _user_action(action: str):
    def setup(app, db, auth) -> Case:
        target = make_user("investor")
        return Case(auth("admin"), f"/admin/users/{target['_id']}/{action}", {},
                    lambda: {k: users.by_id(db, target["_id"]).get(k) for k in ("isActive", "isDeleted")},
                    f"{action.capitalize()} the account of {target['email']}?", f"/admin/users/{target['_id']}")
    return setup


def _revoke_kyc(app, db, auth) -> Case:
    investor = make_user("investor")
    users.set_fields(db, investor["_id"], {"kycStatus": "approved", "isKyc": True})
    return Case(auth("subadmin", permissions=["kyc", "users"]), f"/admin/users/{investor['_id']}/kyc/revoke",
                {"reason": "Sanctions screening match"}, lambda: users.by_id(db, investor["_id"])["kycStatus"],
                "Revoke this investor's verification?", f"/admin/users/{investor['_id']}/file")


def _cancel_order(app, db, auth) -> Case:
    offering = list_offering(db, offering_doc(fee=0))
    investor = make_user("investor")
    users.set_fields(db, investor["_id"], {"kycStatus": "approved", "isKyc": True})
    approve(db, investor, offering)
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(10))
    return Case(auth("subadmin", permissions=["orders"]), f"/admin/orders/{order['_id']}/cancel",
                {"reason": "The allocation was revised"}, lambda: db.orders.find_one({"_id": order["_id"]})["status"],
                f"Cancel order {order['paymentReference']}?", f"/admin/orders/{order['_id']}")


def _refuse_flagged_payment(app, db, auth) -> Case:
    case = _cancel_order(app, db, auth)
    order_id = ObjectId(case.url.split("/")[3])
    db.orders.update_one({"_id": order_id}, {"$set": {"status": "payment_review", "paymentFlag": "underpaid",
                                                      "paidAmount": amounts.store(500_00)}})
    return Case(case.client, f"/admin/orders/{order_id}/flag", {"decision": "refuse", "reason": "Short by $500"},
                lambda: db.orders.find_one({"_id": order_id}).get("paymentFlag"), "Refuse this payment?",
                f"/admin/orders/{order_id}")


def _reject_transfer_request(app, db, auth) -> Case:
    offering = list_offering(db, offering_doc())
    holder = make_user("investor")
    found = transfer_requests.insert_open(db, {
        "userId": holder["_id"], "offeringId": offering["_id"], "walletAddress": "0x" + "1" * 40,
        "newWalletAddress": "0x" + "2" * 40, "tokenQuantity": 5, "status": "pending", "isForceTransfer": False,
        "reason": "Moving to my own wallet"})
    return Case(auth("subadmin", permissions=["transfers"]), f"/admin/transfers/{found['_id']}/reject",
                {"remark": "Prove the wallet is yours first"},
                lambda: transfer_requests.by_id(db, found["_id"])["status"], "Reject this transfer request?",
                f"/admin/transfers/{found['_id']}")


def _close_enforcement_case(action: str, question: str):
    """A pause case waiting for approval: another staff member rejects it, its maker cancels it."""
    def setup(app, db, auth) -> Case:
        offering = list_offering(db, offering_doc())
        maker = auth("subadmin", permissions=["transfers"])
        case_id = ObjectId()
        agent_actions.insert(db, {
            "_id": case_id, "offeringId": offering["_id"], "tokenAddress": "0x" + "3" * 40,
            "kind": enforcement.PAUSE, "params": {}, "reason": "Court order received", "evidence": [],
            "makerId": maker.user["_id"], "makerEmail": maker.user["email"], "approvals": [], "timeLockHours": 0,
            "state": enforcement.PENDING, "attempt": 1, "tokenDecimals": 18, "offeringTitle": "Harbour",
            "history": []})
        client = maker if action == "cancel" else auth("subadmin", permissions=["transfers"])
        return Case(client, f"/admin/enforcement/{case_id}/{action}", {"note": "Withdrawn by the legal team"},
                    lambda: agent_actions.by_id(db, case_id)["state"], question, f"/admin/enforcement/{case_id}")
    return setup


def _reject_offering(app, db, auth) -> Case:
    issuer = make_user("issuer")
    offering = list_offering(db, offering_doc(status="submitted", isTokenDeploy=False, userId=issuer["_id"],
                                              createdBy=issuer["_id"]))
    return Case(auth("admin"), f"/admin/offerings/{offering['_id']}/decision",
                {"decision": "reject", "reason": "Valuation unsupported"},
                lambda: db.offerings.find_one({"_id": offering["_id"]})["status"], "Reject this offering?",
                f"/admin/offerings/{offering['_id']}")


def _reject_whitelisting(endpoint: str):
    def setup(app, db, auth) -> Case:
        offering = list_offering(db, offering_doc())
        investor = eligible_investor()
        wid = ObjectId()
        db.whitelists.insert_one({"_id": wid, "userId": investor["_id"], "offeringId": offering["_id"],
                                  "address": investor["account"].address, "status": "signed", "taStatus": "pending",
                                  "is_signed": True, "is_expired": False, "envelopeId": f"env-{wid}",
                                  "requestedAt": datetime.now(UTC), "userEmail": investor["email"],
                                  "offeringTitle": "Harbour"})
        return Case(auth("admin"), f"/admin/whitelist/{wid}/{endpoint}",
                    {"decision": "rejected", "reason": "Funds unclear"},
                    lambda: db.whitelists.find_one({"_id": wid})["status"], "Reject this whitelisting request?",
                    f"/admin/whitelist/{wid}")
    return setup


def _reject_kyc(app, db, auth) -> Case:
    applicant = make_user("investor")
    users.set_fields(db, applicant["_id"], {"kycStatus": "submitted"})
    user_details.ensure(db, applicant["_id"])
    user_details.lock(db, applicant["_id"])
    return Case(auth("subadmin", permissions=["kyc"]), f"/admin/review/kyc/{applicant['_id']}/decision",
                {"decision": "reject", "reason": "The photo is blurred"},
                lambda: users.by_id(db, applicant["_id"])["kycStatus"], "Reject this verification?",
                f"/admin/review/kyc/{applicant['_id']}")


def _reject_issuer(app, db, auth) -> Case:
    applicant = make_user("investor")
    users.set_fields(db, applicant["_id"], {"issuerStatus": "pending"})
    return Case(auth("admin"), f"/admin/review/issuers/{applicant['_id']}/decision",
                {"decision": "reject", "reason": "The certificate is not legible"},
                lambda: users.by_id(db, applicant["_id"])["issuerStatus"], "Reject this issuer application?",
                "/admin/review/issuers")


def _resolve_failed_job(app, db, auth) -> Case:
    job_id = f"deleteIdentity:{ObjectId()}"
    chain_jobs.create(db, job_id, "deleteIdentity", {"to": "0x0", "data": "0x", "label": "x", "value": "0"})
    chain_jobs.finish(db, job_id, chain_jobs.FAILED, error="IdentityRegistry.deleteIdentity reverted")
    return Case(auth("subadmin", permissions=["orders"]), "/admin/transactions/failed/resolve",
                {"job_id": job_id, "reason": "Removed from the registry by hand"},
                lambda: db.chainJobs.find_one({"_id": job_id}).get("resolvedReason"),
                "Resolve this failed job by hand?", "/admin/transactions/failed")


def _set_aside_bank_entry(action: str):
    def setup(app, db, auth) -> Case:
        entry_id = f"test-{ObjectId()}"
        db.bankEntries.insert_one({"_id": entry_id, "status": "unmatched", "amount": 1_000_00, "currency": "USD",
                                   "booked": datetime.now(UTC), "reference": "", "payer": "A. Payer",
                                   "reason": "No order has this reference."})
        return Case(auth("subadmin", permissions=["orders"]), f"/admin/orders/statements/entries/{entry_id}/decision",
                    {"action": action, "reason": "Bank test credit"},
                    lambda: db.bankEntries.find_one({"_id": entry_id})["status"], f"{action.capitalize()} this entry?")
    return setup


CASES = {
    "deactivate a user": _user_action("deactivate"),
    "delete a user": _user_action("delete"),
    "revoke a KYC": _revoke_kyc,
    "cancel an order": _cancel_order,
    "refuse a flagged payment": _refuse_flagged_payment,
    "reject a transfer request": _reject_transfer_request,
    "reject an enforcement case": _close_enforcement_case("reject", "Reject this case?"),
    "cancel an enforcement case": _close_enforcement_case("cancel", "Cancel this case?"),
    "reject an offering": _reject_offering,
    "reject a whitelisting as agent": _reject_whitelisting("ta-decision"),
    "reject a whitelisting": _reject_whitelisting("decision"),
    "reject a KYC": _reject_kyc,
    "reject an issuer": _reject_issuer,
    "resolve a failed job by hand": _resolve_failed_job,
    "refund a bank entry": _set_aside_bank_entry("refund"),
    "ignore a bank entry": _set_aside_bank_entry("ignore"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_destructive_action_asks_first_and_acts_once_confirmed(app, db, auth, name):
    case = CASES[name](app, db, auth)
    before = case.state()
    if case.page:  # under htmx the browser asks (hx-confirm), then adds the confirmation
        page = case.client.get(case.page).text
        assert """hx-vals='{"confirm": "yes"}'""" in page and "hx-confirm=" in page

    asked = post(case.client, case.url, case.data)
    assert asked.status_code == 200, asked.text[:500]
    assert case.question in html.unescape(asked.text) and "No, go back" in asked.text
    assert case.state() == before  # nothing changed yet

    # The page's form posts the same fields again, with the confirmation.
    section = asked.text[asked.text.index('<section class="card confirm">'):]
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', section, re.S)
    assert form and html.unescape(form.group(1)) == case.url
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    assert fields.pop("confirm") == "yes" and fields.pop("csrf_token")
    assert {k: html.unescape(v) for k, v in fields.items()} == case.data

    done = post(case.client, case.url, {**case.data, "confirm": "yes"})
    assert done.status_code == 303
    assert case.state() != before


def test_reactivating_a_user_does_not_ask(app, db, auth):
    target = make_user("investor")
    users.set_fields(db, target["_id"], {"isActive": False})
    assert post(auth("admin"), f"/admin/users/{target['_id']}/reactivate").status_code == 303
    assert users.by_id(db, target["_id"])["isActive"] is True


def test_the_question_reveals_nothing_to_staff_who_may_not_act(app, db, auth):
    admin = make_user("admin")
    helper = auth("subadmin", permissions=["users"])
    assert post(helper, f"/admin/users/{admin['_id']}/deactivate").status_code == 403
    assert post(helper, f"/admin/users/{ObjectId()}/delete").status_code == 404
    assert post(auth("subadmin", permissions=["orders"]), f"/admin/orders/{ObjectId()}/cancel",
                {"reason": "x"}).status_code == 404


def test_htmx_acts_with_the_confirmation_it_adds(app, db, auth):
    case = _resolve_failed_job(app, db, auth)
    done = post(case.client, case.url, {**case.data, "confirm": "yes"}, headers={"HX-Request": "true"})
    assert done.status_code == 204 and done.headers["HX-Redirect"].endswith("/admin/transactions/failed")
    assert case.state() == "Removed from the registry by hand"


@pytest.mark.parametrize(("name", "refusal"), [
    ("reject a transfer request", "Say why the request is rejected; the investor reads it."),
    ("reject an enforcement case", "Say why the case is rejected; it stays on the case file."),
])
def test_a_refused_decision_is_said_on_its_page_and_changes_nothing(app, db, auth, name, refusal):
    """Confirmed but refused (no reason given): back to the object's page, which says why; htmx is sent there."""
    case = CASES[name](app, db, auth)
    before = case.state()
    blank = {**{field: " " for field in case.data}, "confirm": "yes"}
    refused = post(case.client, case.url, blank)
    assert refused.status_code == 303 and refused.headers["Location"].endswith(case.page)
    assert f'<p class="notice notice-error" role="status">{refusal}</p>' in html.unescape(
        case.client.get(case.page).text)
    under_htmx = post(case.client, case.url, blank, headers={"HX-Request": "true"})
    assert under_htmx.status_code == 204 and under_htmx.headers["HX-Redirect"].endswith(case.page)
    assert case.state() == before


def test_sending_a_failed_enforcement_case_again_asks_first(app, db, auth):
    """"Send again" starts a new attempt on chain: a plain POST only asks, and the case stays failed."""
    case = _close_enforcement_case("retry", "Send this case again?")(app, db, auth)
    case_id = ObjectId(case.url.split("/")[3])
    db.agentActions.update_one({"_id": case_id}, {"$set": {"state": enforcement.FAILED}})
    asked = post(case.client, case.url)
    assert asked.status_code == 200 and "Send this case again?" in asked.text and "No, go back" in asked.text
    assert "The failed attempt took no effect; a new attempt is sent once." in asked.text
    assert case.state() == enforcement.FAILED and db.chainJobs.count_documents({"agentActionId": str(case_id)}) == 0
