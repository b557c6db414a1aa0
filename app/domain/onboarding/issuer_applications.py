"""Issuer applications (KYB): a KYC-approved user applies with company data and a document; staff holding
`issuer_requests` approve or reject with a reason, and the applicant is emailed either way.

Fields on the user (seed): isIssuer, issuerStatus (pending, approved, rejected), issuerReason.
An approved applicant becomes an issuer (userType), which opens the issuer area.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from app import locks
from app.data import user_details, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import ISSUER, has_permission
from app.domain.onboarding import rules
from app.domain.platform import audit, notifications, uploads

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
FIELDS = (rules.Field("name", "Company name"), rules.Field("entityType", "Entity type", "select",
                                                          choices=rules.ENTITY_TYPES),
          rules.Field("webSite", "Website", "url", required=False), rules.Field("business", "Line of business"),
          rules.Field("sourceOfFunds", "Source of funds"))
STEP = rules.Step("issuer", "Issuer application", "issuerApplication", FIELDS)


class NotAllowed(errors.NotAllowed):
    """The acting user may not do this (not KYC-approved, or no issuer_requests permission)."""


def apply(user: dict, form: dict, document, today=None) -> dict:
    """Record the application; returns field errors ({} when sent)."""
    if not user.get("isKyc"):
        raise NotAllowed("Complete identity verification before applying to become an issuer.")
    if user.get("issuerStatus") == PENDING or user.get("isIssuer"):
        raise NotAllowed("Your issuer application is already with us.")
    values, errors = rules.validate(STEP, form, today or datetime.now(UTC).date())
    config = current_app.config
    with uploads.Batch(config["UPLOAD_DIR"], str(user["_id"]), config["UPLOAD_MAX_BYTES"]) as batch:
        stored = _store_document(batch, document, errors)
        if errors:
            return errors  # the batch removes a file stored for a refused application
        db = get_db()
        user_details.ensure(db, user["_id"])
        with locks.userdetails(user["_id"], config):
            user_details.save_any(db, user["_id"], {"issuerApplication": {**values, "document": stored,
                                                                           "appliedAt": datetime.now(UTC)}})
        batch.keep()
    users.set_fields_locked(db, user["_id"], {"issuerStatus": PENDING, "issuerReason": ""})
    audit.record("issuer.applied", actor=user)
    return {}


def _store_document(batch: uploads.Batch, document, errors: dict) -> str | None:
    if document is None or not document.filename:
        errors["document"] = "Attach the certificate of incorporation."
        return None
    try:
        return batch.store(document.stream).name
    except uploads.UploadTooLarge:
        raise  # the view answers 413
    except uploads.UploadRefused as refused:
        errors["document"] = str(refused)
    return None


def pending(actor: dict) -> list[dict]:
    if not has_permission(actor, "issuer_requests"):
        raise NotAllowed("Issuer requests need the issuer_requests permission.")
    db = get_db()
    rows = []
    for user in users.with_issuer_status(db, PENDING):
        details = user_details.get(db, user["_id"]) or {}
        rows.append({"user": user, "application": details.get("issuerApplication") or {}})
    return rows


def decide(actor: dict, user_id: str, approve: bool, reason: str) -> dict:
    """Approve or reject a pending application (only once: a decided one is left alone); emails the applicant."""
    if not has_permission(actor, "issuer_requests"):
        raise NotAllowed("Issuer requests need the issuer_requests permission.")
    reason = (reason or "").strip()[:500]
    if not approve and not reason:
        raise errors.Refused("Give the applicant a reason.")
    target = parse_id(user_id)
    if target is None:
        raise errors.NotFound("no such application")
    db = get_db()
    values = ({"issuerStatus": APPROVED, "isIssuer": True, "userType": ISSUER, "issuerReason": reason} if approve
              else {"issuerStatus": REJECTED, "isIssuer": False, "issuerReason": reason})
    with locks.user(target):  # two admins' conditional updates could otherwise both pass
        decided = users.set_if(db, target, {"issuerStatus": PENDING}, values)
    if not decided:
        raise errors.NotFound("no pending issuer application for this user")
    user = users.by_id(db, target)
    if approve:
        notifications.send_email(user["email"], "Your issuer application is approved", "issuer_approved",
                                 {"issuer_area": f"{current_app.config['PUBLIC_URL']}/issuer/"}, user["_id"])
    else:
        notifications.send_email(user["email"], "Your issuer application", "issuer_rejected", {"reason": reason},
                                 user["_id"])
    audit.record("issuer.approved" if approve else "issuer.rejected", actor=actor, subject=user,
                 details={"reason": reason})
    return user
