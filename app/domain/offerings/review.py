"""The back office's side of offerings: the review queue, assignment, comments and decisions.

Each decision is one conditional state change (so two reviewers cannot both decide), is
written to the audit trail, and is emailed to the issuer. Every write here holds
`locks.offering`, as settlement's raise counting and chain-sync's writes do (app/locks.py says why).

Assignment (issue 18): a reviewer (`projectDetails.reviewerId`, staff holding `offerings`) and a
transfer agent (the seed's `projectDetails.taId` with `isTransferAgent`, any active staff member) are
assigned separately; each is mailed and finds the offering in their queue ("Assigned to me"). Once a
reviewer is assigned, only they or an admin decide the offering; the transfer agent's step of
whitelisting is theirs or an admin's (app.domain.whitelisting.review).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from flask import current_app

from app import locks
from app.data import offerings, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.offerings.service import NotFound, offering_changed
from app.domain.platform import audit, notifications

QUEUE_STATUSES = ("submitted", "changes_requested", "approved", "rejected", "deploying", "live", "closed")
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


ROLES = {"reviewer": ("reviewerId", "reviewer", "offering.assigned"),
         "transfer_agent": ("taId", "transfer agent", "offering.ta_assigned")}
MINE = ("reviewer", "transfer_agent")


def review_queue(actor: dict, status: str = "", mine: str = "") -> list[dict]:
    """Offerings in review, with who reviews them and who is their transfer agent; `mine` narrows to the
    actor's own queue as reviewer or as transfer agent."""
    _require(actor)
    statuses = (status,) if status in QUEUE_STATUSES else QUEUE_STATUSES
    names = {s["id"]: s["name"] for s in _staff()}
    rows = []
    for d in offerings.for_review(get_db(), statuses):
        details = d.get("projectDetails") or {}
        if mine in MINE and details.get(ROLES[mine][0]) != str(actor["_id"]):
            continue
        rows.append({"id": str(d["_id"]), "title": (d.get("overview") or {}).get("title") or "Untitled",
                     "entity": (d.get("overview") or {}).get("entityName", ""), "status": d["status"],
                     "reviewer": names.get(details.get("reviewerId") or "", ""),
                     "agent": names.get(details.get("taId") or "", ""), "submitted": d.get("submittedAt")})
    return rows


def offering_for_review(actor: dict, offering_id: str) -> dict:
    _require(actor)
    oid = parse_id(offering_id)
    doc = offerings.by_id(get_db(), oid) if oid else None
    if doc is None or doc["status"] in ("draft",):
        raise NotFound(offering_id)
    return doc


def reviewers(actor: dict) -> list[dict]:
    """Staff who may be assigned as reviewer: admins and sub-admins holding `offerings`."""
    _require(actor)
    return [s for s in _staff() if s["offerings"]]


def agents(actor: dict) -> list[dict]:
    """Staff who may be assigned as transfer agent: any active admin or sub-admin (the agent's step is on the
    whitelisting pages, open to all staff, each seeing only the offerings they are agent of)."""
    _require(actor)
    return _staff()


def _staff() -> list[dict]:
    db = get_db()
    people = users.search(db, "", "admin", include_deleted=False, limit=500) + users.search(
        db, "", "subadmin", include_deleted=False, limit=500)
    return [{"id": str(u["_id"]), "email": u["email"], "name": u.get("legalFullName") or u.get("name") or u["email"],
             "offerings": has_permission(u, "offerings")} for u in people if u.get("isActive", True)]


def assign(actor: dict, offering_id: str, person_id: str, role: str = "reviewer") -> None:
    """Assign the offering's reviewer or transfer agent; the person is mailed (once per assignment)."""
    if role not in ROLES:
        raise errors.Refused("Choose whether to assign the reviewer or the transfer agent.")
    doc = offering_for_review(actor, offering_id)
    field, label, event = ROLES[role]
    chosen = {p["id"]: p for p in (reviewers(actor) if role == "reviewer" else agents(actor))}.get(person_id)
    if chosen is None:
        raise errors.Refused(f"Choose a {label} from the list.")
    if (doc.get("projectDetails") or {}).get(field) == person_id:
        raise errors.Refused(f"{chosen['name']} is already this offering's {label}.")
    changes = {f"projectDetails.{field}": person_id}
    if role == "transfer_agent":
        changes["projectDetails.isTransferAgent"] = True
    with locks.offering(doc["_id"]):
        if offerings.transition(get_db(), doc["_id"], (doc["status"],), changes) is None:
            raise Conflict("The offering changed meanwhile; reload the page and assign again.")
    audit.record(event, actor=actor, details={"offeringId": offering_id, "role": role, "assigneeId": person_id})
    _tell_assignee(doc, chosen, role, label)


def _tell_assignee(doc: dict, person: dict, role: str, label: str) -> None:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    link = (f"{base}/admin/offerings/{doc['_id']}" if role == "reviewer"
            else f"{base}/admin/whitelist/?offering={doc['_id']}")
    title = (doc.get("overview") or {}).get("title") or "an offering"
    notifications.send_email(person["email"], f"Libertum: you are the {label} of {title}", "offering_assigned",
                             {"role": label, "offering_title": title, "link": link, "name": person["name"]},
                             parse_id(person["id"]))


def may_decide(actor: dict, doc: dict) -> bool:
    """The assigned reviewer decides (an admin too); before anyone is assigned, any reviewer may."""
    assigned = (doc.get("projectDetails") or {}).get("reviewerId")
    return not assigned or assigned == str(actor["_id"]) or actor.get("userType") == "admin"


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
    if not may_decide(actor, doc):
        raise errors.NotAllowed("only the offering's assigned reviewer, or an admin, decides it")
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
