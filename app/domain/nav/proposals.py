"""An issuer proposes a new NAV per token for a deployed offering of theirs, with its valuation report.

Rules (issue 15): only the offering's issuer, only once its token is deployed (anyone else, or before, gets
the 404 of an unknown offering); every field checked at once (app/domain/nav/rules.py) before the report
touches the disk; the report goes through app/domain/platform/uploads.py (type from its bytes, size limit,
413 above it) and its SHA-256 is kept; one pending proposal per offering at a time, under the offering's lock.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import current_app

from app import locks
from app.data import nav_history, offerings
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.nav import rules
from app.domain.offerings.service import owned, upload_dir
from app.domain.platform import audit, uploads
from app.formatting.numbers import platform_currency

log = logging.getLogger(__name__)
ONE_PENDING = ("A NAV proposal for this offering is already waiting for review; it must be approved or "
               "rejected before you propose another.")


@dataclass
class Outcome:
    """A proposal's result: its id once saved, else the messages per field (the form keeps what was typed)."""

    proposal_id: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()
    return None


def deployed_offering(issuer: dict, offering_id: str) -> dict:
    """The issuer's own offering with its token deployed; NotFound otherwise (another issuer's, or not yet)."""
    doc = owned(issuer, offering_id)
    if not doc.get("isTokenDeploy"):
        raise errors.NotFound(offering_id)
    return doc


def launch_nav(offering: dict) -> int:
    return int((offering.get("projectDetails") or {}).get("navLaunchPrice") or 0)


def current_nav(offering: dict) -> int:
    details = offering.get("projectDetails") or {}
    return int(details.get("latestNav") or details.get("navLaunchPrice") or 0)


def _limits(offering: dict) -> tuple[date | None, date | None]:
    """(launch day, the current NAV's effective day) an effective date must not precede."""
    details = offering.get("projectDetails") or {}
    return _day(details.get("startDate")), _day(details.get("latestNavAt")) if offering.get("navHistory") else None


def page(issuer: dict, offering_id: str) -> dict:
    """What the issuer's NAV page shows: the current NAV, the proposals (pending, decided) and the form's limits."""
    doc = deployed_offering(issuer, offering_id)
    launch, previous = _limits(doc)
    history = nav_history.of_offering(get_db(), doc["_id"])
    return {"offering": doc, "nav": current_nav(doc), "launch_nav": launch_nav(doc), "launch_day": launch,
            "previous_day": previous, "proposals": history,
            "pending": next((p for p in history if p["status"] == nav_history.PENDING), None),
            "methods": rules.METHODS, "today": datetime.now(UTC).date()}


def _hash_of(offering_id: str, name: str) -> str:
    path, _type = uploads.locate(upload_dir(), offering_id, name)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def propose(issuer: dict, offering_id: str, form: dict, report, today: date | None = None) -> Outcome:
    """Check the form and the report, then save one pending proposal; Refused when one is pending already."""
    doc = deployed_offering(issuer, offering_id)
    launch, previous = _limits(doc)
    proposal, problems = rules.read_proposal(form, today=today or datetime.now(UTC).date(), launch=launch,
                                             previous=previous, currency=platform_currency())
    if report is None:
        problems["report"] = "Attach the valuation report (PDF, PNG, JPEG or WebP)."
    if problems:
        return Outcome(errors=problems, status=422)
    oid, folder = doc["_id"], str(doc["_id"])
    try:
        with uploads.Batch(upload_dir(), folder, current_app.config["UPLOAD_MAX_BYTES"]) as batch:
            stored = batch.store(report)
            proposal_id = _save(issuer, oid, proposal, stored, _hash_of(folder, stored.name))
            batch.keep()
    except uploads.UploadRefused as refused:
        return Outcome(errors={"report": str(refused)},
                       status=413 if isinstance(refused, uploads.UploadTooLarge) else 422)
    except errors.Refused as refused:  # a proposal arrived (or a NAV was approved) meanwhile
        return Outcome(errors={"form": str(refused)}, status=422)
    audit.record("nav.proposed", actor=issuer, details={"offeringId": folder, "proposalId": str(proposal_id),
                                                        "navPerToken": proposal.nav})
    log.info("NAV %s proposed for offering %s by %s", proposal.nav, folder, issuer["_id"])
    return Outcome(proposal_id=str(proposal_id))


def _save(issuer: dict, offering_id, proposal: rules.Proposal, stored: uploads.StoredFile, digest: str):
    db = get_db()
    with locks.offering(offering_id):
        if nav_history.pending_of(db, offering_id) is not None:
            raise errors.Refused(ONE_PENDING)
        current = offerings.by_id(db, offering_id) or {}
        previous = _limits(current)[1]
        if previous is not None and proposal.effective <= previous:  # approved meanwhile: the rule again
            raise errors.Refused(f"The effective date must come after the current NAV's ({previous.isoformat()}).")
        return nav_history.insert(db, {
            "offeringId": offering_id, "navPerToken": proposal.nav,
            "effectiveDate": rules.day_start(proposal.effective),
            "valuer": proposal.valuer, "method": proposal.method, "methodOther": proposal.method_other,
            "reportUrl": stored.name, "reportHash": digest, "reportSize": stored.size,
            "reportType": stored.content_type, "proposedBy": issuer["_id"], "proposedAt": datetime.now(UTC),
            "previousNav": current_nav(current), "status": nav_history.PENDING})


def report_file(issuer: dict, offering_id: str, proposal_id: str):
    """(path, content type) of a proposal's report for the offering's issuer; NotFound otherwise."""
    doc = deployed_offering(issuer, offering_id)
    return report_of(doc, proposal_id)


def report_of(offering: dict, proposal_id: str):
    pid = parse_id(proposal_id)
    proposal = nav_history.by_id(get_db(), pid) if pid else None
    if proposal is None or proposal.get("offeringId") != offering["_id"]:
        raise errors.NotFound(proposal_id)
    return uploads.locate(upload_dir(), str(offering["_id"]), proposal["reportUrl"])
