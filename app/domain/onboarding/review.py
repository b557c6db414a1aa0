"""Reviewers' side of KYC: the queue, one application with its documents, and the decision.

Who: admins, and sub-admins holding the `kyc` permission (checked here as well as on the
route, so a service called from elsewhere keeps the rule). The investor may read their own
application and documents; nobody else may. A reviewer's decision is applied like a
provider event stamped now, so an older provider webhook arriving later cannot undo it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from flask import current_app

from app import locks
from app.data import user_details, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.onboarding import kyc_rules, rules, sensitive
from app.domain.onboarding.identities import enqueue_identities
from app.domain.platform import audit, stage_mails, uploads

DECISIONS = ("approve", "reject", "changes")


class NotAllowed(errors.NotAllowed):
    """The acting user may not see or decide this application."""


def _require_reviewer(actor: dict) -> None:
    if not has_permission(actor, "kyc"):
        raise NotAllowed("KYC review needs the kyc permission.")


def _oid(value) -> ObjectId:
    found = parse_id(value)
    if found is None:
        raise errors.NotFound("no such application")
    return found


def pending(actor: dict) -> list[dict]:
    """Submitted applications, oldest first, with the applicant's name and status (numbers masked)."""
    _require_reviewer(actor)
    db = get_db()
    rows = []
    for details in user_details.submitted(db):
        user = users.by_id(db, details["userId"]) or {}
        rows.append({"userId": str(details["userId"]), "email": user.get("email"), "name": user.get("legalFullName"),
                     "accountType": details.get("accountType") or rules.INDIVIDUAL,
                     "kycStatus": user.get("kycStatus"), "submittedAt": details.get("submittedAt")})
    return rows


def application(actor: dict, user_id: str) -> tuple[dict, dict]:
    """(user, details) for a reviewer, or for the owner; identity numbers in clear for both."""
    owner_id = _oid(user_id)
    if str(actor.get("_id")) != str(owner_id):
        _require_reviewer(actor)
    db = get_db()
    user = users.by_id(db, owner_id)
    if user is None:
        raise errors.NotFound("no such application")
    details = user_details.get(db, owner_id) or {"userId": owner_id}
    return user, sensitive.reveal_fields(current_app.config["DATA_ENCRYPTION_KEY"], details, clear=True)


def document(actor: dict, owner_id: str, name: str):
    """(path, content type) of a person's stored document for its owner or a KYC / issuer-request reviewer,
    else LookupError.

    The folder must be an account's: uploads of offerings live in the same UPLOAD_DIR under the offering's id,
    and a reviewer holding only `kyc` once downloaded an offering's confidential file here. Each document
    route checks its own owner kind: people's files here, an offering's through its issuer, its reviewers
    or the marketplace's whitelist rule (app/domain/offerings/page.py)."""
    is_owner = str(actor.get("_id")) == str(owner_id)
    if not is_owner and not (has_permission(actor, "kyc") or has_permission(actor, "issuer_requests")):
        raise errors.NotFound("no such document")  # same answer as a missing file: nothing to learn by probing
    owner = users.by_id(get_db(), _oid(owner_id))
    if owner is None or name not in _documents_of(owner):
        raise errors.NotFound("no such document")
    found = uploads.locate(current_app.config["UPLOAD_DIR"], str(owner_id), name)
    if not is_owner:
        audit.record("kyc.document_viewed", actor=actor, subject=owner, details={"document": name})
    return found


def _documents_of(user: dict) -> set[str]:
    """Every stored file name the account's details refer to (KYC/KYB documents, the issuer application)."""
    details = user_details.get(get_db(), user["_id"]) or {}
    names: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str) and uploads.STORED_NAME.match(value):
            names.add(value)
    collect(details)
    return names


def decide(actor: dict, user_id: str, decision: str, reason: str, steps: list[str] | None = None) -> dict:
    """Approve, reject (the investor may resubmit) or ask for changes to `steps`; returns the user."""
    _require_reviewer(actor)
    if decision not in DECISIONS:
        raise errors.Refused("Choose approve, reject or request changes.")
    reason = (reason or "").strip()[:500]
    if decision != "approve" and not reason:
        raise errors.Refused("Give the investor a reason.")
    user, _details = application(actor, user_id)
    # Under the user's lock, as the provider's webhooks apply: two reviewers, or a
    # reviewer and a webhook, could both pass the status check (read, then write) and both decide.
    with locks.user(user["_id"]):
        return _decide(actor, user_id, decision, reason, steps)


def _decide(actor: dict, user_id: str, decision: str, reason: str, steps: list[str] | None) -> dict:
    db = get_db()
    user, details = application(actor, user_id)
    if user.get("kycStatus") not in (kyc_rules.SUBMITTED, kyc_rules.PENDING):
        raise errors.Refused("Only a submitted application can be decided.")
    known_steps = {s.key for s in rules.steps_of(details.get("accountType") or rules.INDIVIDUAL)}
    steps = [s for s in steps or () if s in known_steps]
    if decision == "changes" and not steps:
        raise errors.Refused("Choose the steps the investor must change.")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    values = {
        "approve": {"kycStatus": kyc_rules.APPROVED, "isKyc": True, "kycReason": ""},
        "reject": {"kycStatus": kyc_rules.REJECTED, "isKyc": False, "kycReason": reason},
        "changes": {"kycStatus": kyc_rules.CHANGES_REQUESTED, "isKyc": False, "kycReason": reason},
    }[decision]
    users.apply_kyc_event(db, user["_id"], now, {**values, "kycReviewedBy": str(actor["_id"])},
                          count=decision != "changes")
    if decision == "approve":
        enqueue_identities(user["_id"])
    else:
        with locks.userdetails(user["_id"]):
            user_details.unlock(db, user["_id"], steps)
    event = {"approve": "kyc.approved", "reject": "kyc.rejected", "changes": "kyc.changes_requested"}[decision]
    audit.record(event, actor=actor, subject=user, details={"reason": reason, "steps": steps})
    decided = users.by_id(db, user["_id"])
    stage_mails.kyc_decided(decided, decision, reason, event=now)
    return decided
