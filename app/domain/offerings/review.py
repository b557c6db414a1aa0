"""The back office's side of offerings: the review queue, assignment, comments and decisions.

Each decision is one conditional state change (so two reviewers cannot both decide), is
written to the audit trail, and is emailed to the issuer. Every write here holds
`locks.offering`, as settlement's raise counting and chain-sync's writes do (app/locks.py says why).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from app import locks
from app.data import offerings, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.offerings.service import NotFound, offering_changed
from app.domain.platform import audit, notifications

QUEUE_STATUSES = ("submitted", "changes_requested", "approved", "rejected", "deploying", "live")
DECISIONS = {
    "request_changes": (("submitted",), "changes_requested", "offering.changes_requested",
                        "Changes requested for your offering"),
    "approve": (("submitted",), "approved", "offering.approved", "Your offering is approved"),
    "reject": (("submitted", "changes_requested"), "rejected", "offering.rejected", "Your offering was not approved"),
}


class Conflict(errors.Refused, RuntimeError):
    """The offering is no longer in a state that allows this decision (someone else acted first)."""


def _require(actor: dict) -> None:
    if not has_permission(actor, "offerings"):
        raise errors.NotAllowed("reviewing offerings needs the offerings permission")


def review_queue(actor: dict, status: str = "") -> list[dict]:
    _require(actor)
    statuses = (status,) if status in QUEUE_STATUSES else QUEUE_STATUSES
    return [{"id": str(d["_id"]), "title": (d.get("overview") or {}).get("title") or "Untitled",
             "entity": (d.get("overview") or {}).get("entityName", ""), "status": d["status"],
             "assignee": (d.get("projectDetails") or {}).get("taId"), "submitted": d.get("submittedAt")}
            for d in offerings.for_review(get_db(), statuses)]


def offering_for_review(actor: dict, offering_id: str) -> dict:
    _require(actor)
    oid = parse_id(offering_id)
    doc = offerings.by_id(get_db(), oid) if oid else None
    if doc is None or doc["status"] in ("draft",):
        raise NotFound(offering_id)
    return doc


def reviewers(actor: dict) -> list[dict]:
    """Staff who may be assigned as reviewer or transfer agent: admins and sub-admins holding `offerings`."""
    _require(actor)
    db = get_db()
    staff = users.search(db, "", "admin", include_deleted=False) + [
        u for u in users.search(db, "", "subadmin", include_deleted=False) if has_permission(u, "offerings")]
    return [{"id": str(u["_id"]), "email": u["email"], "name": u.get("legalFullName") or u.get("name") or u["email"]}
            for u in staff if u.get("isActive", True)]


def assign(actor: dict, offering_id: str, reviewer_id: str) -> None:
    doc = offering_for_review(actor, offering_id)
    if reviewer_id not in {r["id"] for r in reviewers(actor)}:
        raise errors.Refused("Choose a reviewer from the list.")
    with locks.offering(doc["_id"]):
        offerings.transition(get_db(), doc["_id"], (doc["status"],),
                             {"projectDetails.taId": reviewer_id, "projectDetails.isTransferAgent": True})
    audit.record("offering.assigned", actor=actor, details={"offeringId": offering_id, "reviewerId": reviewer_id})


def comment(actor: dict, offering_id: str, text: str) -> None:
    text = text.strip()
    if not text:
        raise errors.Refused("Write a comment first.")
    doc = offering_for_review(actor, offering_id)
    with locks.offering(doc["_id"]):
        offerings.add_comment(get_db(), doc["_id"], {"by": actor.get("email"), "byId": str(actor["_id"]),
                                                     "at": datetime.now(UTC), "text": text[:2000]})
    audit.record("offering.commented", actor=actor, details={"offeringId": offering_id})


def decide(actor: dict, offering_id: str, decision: str, reason: str = "") -> dict:
    """Approve, reject (reason required) or request changes (reason required); emails the issuer."""
    allowed_from, new_status, event, subject = DECISIONS[decision]
    reason = reason.strip()[:2000]
    if decision != "approve" and not reason:
        raise errors.Refused("Give the issuer a reason.")
    doc = offering_for_review(actor, offering_id)
    changes = {"status": new_status, "reviewReason": reason, "reviewedAt": datetime.now(UTC),
               "reviewedBy": str(actor["_id"])}
    if new_status == "changes_requested":
        changes["isFinalSubmission"] = False
    with locks.offering(doc["_id"]):
        updated = offerings.transition(get_db(), doc["_id"], allowed_from, changes)
    if updated is None:
        raise Conflict(f"The offering is {doc['status'].replace('_', ' ')}; reload to see the latest decision.")
    audit.record(event, actor=actor, details={"offeringId": offering_id, "reason": reason})
    _tell_issuer(updated, subject, reason)
    offering_changed(offering_id)
    return updated


def _tell_issuer(doc: dict, subject: str, reason: str) -> None:
    issuer = users.by_id(get_db(), ObjectId(doc["createdBy"]))
    if issuer is None:
        return
    title = (doc.get("overview") or {}).get("title") or "your offering"
    notifications.send_email(issuer["email"], f"{subject}: {title}", "offering_decision",
                             {"decision": subject, "offering_title": title, "reason": reason}, issuer["_id"])
