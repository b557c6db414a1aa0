"""Reviewers deciding one submitted offering at the same moment: one decision is recorded, audited and mailed.

On FerretDB v1 the conditional state change passed for several of them, and the issuer was told both
"approved" and "not approved"."""

from __future__ import annotations

from app.domain.offerings import review as offering_review
from app.domain.offerings import service as issuer_offerings
from app.domain.offerings.review import Conflict
from app.domain.offerings.rules import REQUIRED_DOCUMENTS, STEPS, submission_problems
from app.domain.offerings.service import Locked
from tests.factories import offering_doc
from tests.fixtures.accounts import make_user
from tests.integration.atomicity.conftest import race

REVIEWERS, ROUNDS = 6, 4


def test_reviewers_deciding_at_once_leave_one_decision(app, db):
    with app.app_context():
        reviewers = [make_user("subadmin", permissions=["offerings"]) for _ in range(REVIEWERS)]
        issuer = make_user("issuer")
    for _ in range(ROUNDS):
        offering = offering_doc(status="submitted", createdBy=issuer["_id"])
        db.offerings.insert_one(offering)
        oid = str(offering["_id"])
        decisions = ["approve" if n % 2 else "reject" for n in range(REVIEWERS)]
        results = race(app, [lambda r=r, d=d, o=oid: offering_review.decide(r, o, d, "checked")
                             for r, d in zip(reviewers, decisions, strict=True)])
        decided = [r for r in results if isinstance(r, dict)]
        assert len(decided) == 1, results
        assert all(isinstance(r, Conflict) for r in results if not isinstance(r, dict)), results
        assert db.offerings.find_one({"_id": offering["_id"]})["status"] == decided[0]["status"]
        audited = db.auditLogs.count_documents({"event": {"$in": ["offering.approved", "offering.rejected"]},
                                                "details.offeringId": oid})
        assert audited == 1


def test_an_issuer_resubmitting_while_a_reviewer_rejects_never_undoes_the_rejection(app, db):
    """Either order is fine (submitted then rejected, or rejected then refused), as long as it is one order."""
    with app.app_context():
        reviewer = make_user("subadmin", permissions=["offerings"])
        issuer = make_user("issuer")
    for _ in range(ROUNDS * 2):
        offering = submittable(offering_doc(status="changes_requested", createdBy=issuer["_id"]))
        db.offerings.insert_one(offering)
        oid = str(offering["_id"])
        results = race(app, [lambda o=oid: offering_review.decide(reviewer, o, "reject", "not this time")]
                       + [lambda o=oid: issuer_offerings.submit(issuer, o)] * 3)
        assert isinstance(results[0], dict), results
        assert all(r == [] or isinstance(r, Locked) for r in results[1:]), results
        assert db.offerings.find_one({"_id": offering["_id"]})["status"] == "rejected"


def submittable(doc: dict) -> dict:
    """Every step done and every required document uploaded: what the issuer's wizard leaves behind."""
    doc["completedSteps"] = [st.key for st in STEPS]
    doc["documents"] = {**(doc.get("documents") or {}), **{key: f"{key}.pdf" for key in REQUIRED_DOCUMENTS}}
    doc["overview"] = {**doc["overview"], "cover": "cover.png"}
    assert submission_problems(doc) == []
    return doc
