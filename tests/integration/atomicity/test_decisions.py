"""Decisions two people (or a person and a provider's webhook) can make at the same moment: exactly one wins.

FerretDB v1 lets two conditional updates of one document both pass their condition, so without the
request's lock an approval and a rejection were both recorded, audited and emailed."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from app.data import esign_webhooks
from app.domain.whitelisting import review as whitelisting_review
from app.domain.whitelisting import rules
from app.domain.whitelisting.review import Conflict
from app.domain.whitelisting.webhooks import apply_event
from tests.fixtures.accounts import make_user
from tests.integration.atomicity.conftest import race

ROUNDS = 6


def request_doc(db, investor: dict, n: int) -> dict:
    """A signed request the transfer agent approved, waiting for the final decision."""
    doc = {"_id": ObjectId(), "userId": investor["_id"], "offeringId": ObjectId(), "address": "0x" + "b" * 40,
           "status": rules.SIGNED, "taStatus": rules.TA_APPROVED, "is_signed": True, "is_expired": False,
           "envelopeId": f"6f1c2b1e-0000-4000-8000-{n:012d}", "requestedAt": datetime.now(UTC),
           "userEmail": investor["email"], "offeringTitle": "Harbour", "esignEventAt": "2026-01-01T00:00:00Z"}
    db.whitelists.insert_one(doc)
    return doc


def declined_delivery(db, envelope: str, n: int) -> str:
    """A recorded Connect delivery: the envelope declined (after the signature, e.g. voided by the signer)."""
    at = f"2026-01-02T00:00:{n:02d}Z"
    payload = {"event": "envelope-declined", "apiVersion": "v2.1", "retryCount": 0, "generatedDateTime": at,
               "data": {"accountId": "sandbox-account", "envelopeId": envelope,
                        "envelopeSummary": {"status": "declined", "envelopeId": envelope}}}
    delivery_id = f"delivery-{envelope}-{n}"
    esign_webhooks.record(db, delivery_id, envelope, "envelope-declined", at, payload)
    return delivery_id


def test_approvals_rejections_and_a_decline_at_once_leave_one_decision(app, db):
    with app.app_context():
        reviewers = [make_user("subadmin", permissions=["whitelist"]) for _ in range(6)]
        investors = [make_user("investor") for _ in range(ROUNDS)]
    for round_number, investor in enumerate(investors):
        race_for_one_request(app, db, reviewers, request_doc(db, investor, round_number))


def race_for_one_request(app, db, reviewers: list[dict], request: dict) -> None:
    deliveries = [declined_delivery(db, request["envelopeId"], n) for n in range(2)]
    wid = str(request["_id"])
    calls = [lambda r=r, n=n: whitelisting_review.decide(r, wid, rules.APPROVED if n % 2 else rules.REJECTED,
                                                         "checked")
             for n, r in enumerate(reviewers)]
    calls += [lambda d=d: apply_event(d) for d in deliveries]
    results = race(app, calls)

    decided = [r for r in results[:6] if isinstance(r, dict)]
    # the others were told: decided meanwhile (Conflict), or already decided when they looked (ValueError)
    assert all(isinstance(r, Conflict | ValueError) for r in results[:6] if not isinstance(r, dict)), results
    assert set(results[6:]) <= {"applied", "stale"}, results
    final = db.whitelists.find_one({"_id": request["_id"]})
    audited = db.auditLogs.count_documents({"event": {"$in": ["whitelist.approved", "whitelist.rejected"]},
                                            "details.whitelistId": wid})
    mails = db.outbox.count_documents({"to": request["userEmail"]})
    if final["status"] == "declined":  # the signer's decline came first: nobody decided
        assert decided == [] and "adminStatus" not in final and audited == 0 and mails == 0
    else:
        assert len(decided) == 1, f"{len(decided)} reviewers' decisions were all recorded"
        assert final["adminStatus"] == decided[0]["adminStatus"] and final["decidedBy"] == decided[0]["decidedBy"]
        assert final["status"] == (rules.SIGNED if final["adminStatus"] == rules.APPROVED else rules.REJECTED)
        assert audited == 1 and mails == 1
