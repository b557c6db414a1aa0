"""Mail at every stage someone waits on, each exactly once per event: order placed (how to pay), cancelled by
the investor, KYC decided (by a reviewer or the provider), offering live. Read from the outbox (what the worker
sends) and, for one, from the real mail sink after the mail job ran."""

from __future__ import annotations

import pytest
import requests
from bson import ObjectId

from app.data import kyc_webhooks, user_details, users
from app.domain.offerings import deployment
from app.domain.onboarding import kyc
from app.domain.onboarding import review as kyc_review
from app.domain.orders import placement
from app.domain.platform.notifications import send_email
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, run_mail_jobs
from tests.fixtures.orders import approve, order_form


def mails_to(db, email: str) -> list[dict]:
    return list(db.outbox.find({"to": email}).sort("createdAt", 1))


@pytest.fixture
def offering(db):
    return list_offering(db, offering_doc(fee=150, title="Quayside Flats"))


@pytest.fixture
def investor(db, offering):
    user = make_user("investor")
    approve(db, user, offering)
    return user


def test_a_fiat_order_mails_the_bank_details_once(app, db, offering, investor, mail_sandbox):
    form = order_form(tokens=12)
    order = placement.place(app.config, investor, str(offering["_id"]), form)
    placement.place(app.config, investor, str(offering["_id"]), form)  # the same form sent again
    [mail] = mails_to(db, investor["email"])
    assert mail["subject"] == f"Libertum: Your order {order['paymentReference']}: how to pay"
    body = mail["body"]
    for text in (app.config["BANK_IBAN"], app.config["BANK_BIC"], app.config["BANK_ACCOUNT_NAME"],
                 order["paymentReference"], "12", "Quayside Flats", "$1,218", f"/orders/{order['_id']}"):
        assert text in body, text
    assert "Pay by bank transfer by" in body and "UTC" in body
    run_mail_jobs()
    delivered = requests.get(f"{mail_sandbox}/mail/messages.json", params={"to": investor["email"]},
                             timeout=5).json()["messages"]
    assert [m["subject"] for m in delivered] == [mail["subject"]]


def test_a_stablecoin_order_mails_the_transfer_to_make(app, db, platform, investor, offering):
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"paymentAddress": "0x" + "ab" * 20}})
    order = placement.place(app.config, investor, str(offering["_id"]), order_form(tokens=10, method="crypto"))
    [mail] = mails_to(db, investor["email"])
    assert "Pay in stablecoin by" in mail["body"] and order["paymentAddress"] in mail["body"]
    assert order["walletAddress"] in mail["body"] and "IBAN" not in mail["body"]


def test_the_investors_own_cancellation_is_confirmed_once(app, db, offering, investor):
    order = placement.place(app.config, investor, str(offering["_id"]), order_form(tokens=10))
    placement.cancel(app.config, investor, str(order["_id"]))
    subjects = [m["subject"] for m in mails_to(db, investor["email"])]
    assert subjects[-1] == "Libertum: You cancelled your order"
    assert order["paymentReference"] in mails_to(db, investor["email"])[-1]["body"]
    with pytest.raises(placement.Refusal):
        placement.cancel(app.config, investor, str(order["_id"]))  # cancelled already: refused, not mailed
    assert len(mails_to(db, investor["email"])) == 2


@pytest.fixture
def submitted(db):
    user = make_user("investor")
    users.set_fields(db, user["_id"], {"kycStatus": "submitted"})
    user_details.ensure(db, user["_id"])
    user_details.lock(db, user["_id"])
    return users.by_id(db, user["_id"])


@pytest.mark.parametrize(("decision", "reason", "subject", "text"), [
    ("approve", "", "Libertum: Your identity is verified", "connect your wallet"),
    ("reject", "The passport photo is unreadable", "Libertum: Your identity verification was not approved",
     "not approved: The passport photo is unreadable"),
    ("changes", "Add the back of the card", "Libertum: Your identity verification needs changes",
     "needs changes: Add the back of the card"),
])
def test_a_reviewers_kyc_decision_is_mailed_with_the_reason(app, db, auth, submitted, decision, reason, subject,
                                                           text):
    reviewer = auth("subadmin", permissions=["kyc"]).user
    kyc_review.decide(reviewer, str(submitted["_id"]), decision, reason, steps=["documents"])
    [mail] = mails_to(db, submitted["email"])
    assert mail["subject"] == subject and text in mail["body"]


def test_a_raise_capital_applicant_is_told_to_apply_as_an_issuer_next(app, db, auth, submitted):
    users.set_fields(db, submitted["_id"], {"signupGoal": "raise"})
    kyc_review.decide(auth("admin").user, str(submitted["_id"]), "approve", "")
    [mail] = mails_to(db, submitted["email"])
    assert "apply as an issuer" in mail["body"] and "/onboarding/issuer" in mail["body"]


def test_the_providers_decision_is_mailed_once_per_event(app, db, submitted):
    users.set_fields(db, submitted["_id"], {"kycApplicationId": f"app-{submitted['_id']}"})
    payload = {"applicantId": f"app-{submitted['_id']}", "externalUserId": str(submitted["_id"]),
               "type": "applicantReviewed", "reviewStatus": "completed", "createdAtMs": "2026-11-25 10:00:00.000",
               "levelName": "basic-kyc-level", "reviewResult": {"reviewAnswer": "GREEN"}}
    kyc_webhooks.record(db, "evt-1", payload, "2026-11-25 10:00:00.000000")
    kyc.apply_event("evt-1")
    kyc.apply_event("evt-1")  # the job run again
    [mail] = mails_to(db, submitted["email"])
    assert mail["subject"] == "Libertum: Your identity is verified"


def test_an_offering_going_live_is_mailed_to_its_issuer_once(app, db):
    issuer = make_user("issuer")
    offering_id = ObjectId()
    salt = deployment.salt_hash(str(offering_id))
    list_offering(db, offering_doc(_id=offering_id, title="Canal Offices", status="deploying", createdBy=issuer["_id"],
                                   deploySaltHash=salt, tokenAddress=None))
    event = {"args": {"_salt": salt, "_token": "0x" + "12" * 20, "_ir": "0x" + "34" * 20, "_mc": "0x" + "56" * 20},
             "transactionHash": "0x" + "00" * 32, "event": "TREXSuiteDeployed"}
    assert deployment.apply_suite_deployed(db, event) is True
    assert deployment.apply_suite_deployed(db, event) is False  # a replayed log changes and mails nothing
    [mail] = mails_to(db, issuer["email"])
    assert mail["subject"] == "Libertum: Canal Offices is live"
    assert f"/offerings/{offering_id}" in mail["body"] and "0x" + "12" * 20 in mail["body"]


def test_a_key_mails_an_event_once_even_when_sent_again(app, db):
    first = send_email("ada@example.com", "Hello", "order_cancelled",
                       {"reference": "R1", "offering_title": "T", "reason": "r"}, key="test-event:1")
    again = send_email("ada@example.com", "Hello", "order_cancelled",
                       {"reference": "R1", "offering_title": "T", "reason": "r"}, key="test-event:1")
    assert first == again and db.outbox.count_documents({"to": "ada@example.com"}) == 1
    assert db.mailKeys.find_one({"_id": "test-event:1"})["messageId"] == first
    other = send_email("ada@example.com", "Hello", "order_cancelled",
                       {"reference": "R2", "offering_title": "T", "reason": "r"}, key="test-event:2")
    assert other != first and db.outbox.count_documents({"to": "ada@example.com"}) == 2
