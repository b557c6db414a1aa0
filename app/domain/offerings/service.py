"""Issuers create offerings step by step; the final submission sends them to the back office.

Every function takes the acting user's document and ids, checks ownership itself (another
issuer's offering is "not found", revealing nothing) and returns plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app

from app import cache, locks
from app.data import offerings
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.marketplace import listing
from app.domain.offerings.rules import (
    IMAGES,
    NAMED_DOCUMENTS,
    TOP_LEVEL_FIELDS,
    Step,
    current_step_after,
    resume_step,
    submission_problems,
    validate_step,
)
from app.domain.offerings.rules import step as find_step
from app.domain.platform import audit, text_rules, uploads
from app.formatting import units


class NotFound(errors.NotFound):
    """No such offering for this user."""


class Locked(errors.NotAllowed):
    """The offering was submitted: it changes only after the reviewers ask for changes."""


@dataclass
class StepResult:
    saved: bool
    typed: dict
    errors: dict


def create_draft(issuer: dict) -> str:
    """A new empty offering owned by the issuer, at the first step."""
    now = datetime.now(UTC)
    offering_id = offerings.insert(get_db(), {
        "userId": issuer["_id"], "createdBy": issuer["_id"], "status": "draft", "currentStep": 1,
        "completedSteps": [], "isActive": True, "isDelete": False, "isFinalSubmission": False,
        "isTokenDeploy": False, "raisedAmount": 0, "tokensSold": 0, "createdAt": now,
        "projectDetails": {"issuerId": str(issuer["_id"]), "tokenStandard": "ERC-3643", "isPrivate": False,
                           "customFields": [], "offeringMembers": [], "authorizedCountries": []},
        "overview": {}, "documents": {"customDocs": []}, "team": []})
    audit.record("offering.created", actor=issuer, details={"offeringId": str(offering_id)})
    return str(offering_id)


def owned(issuer: dict, offering_id: str) -> dict:
    oid = parse_id(offering_id)
    doc = offerings.owned(get_db(), oid, issuer["_id"]) if oid else None
    if doc is None:
        raise NotFound(offering_id)
    return doc


def typed_values(doc: dict, st: Step) -> dict:
    """What the step's form shows for a stored offering (the stored values as a person types them);
    a repeating step (team, custom fields) always offers an empty form for the next entry."""
    if st.repeat:
        return {}
    source = doc.get(st.path.split(".")[0], {}) if st.path else doc
    typed = {}
    for field in st.fields:
        value = doc.get(field.name) if field.name in TOP_LEVEL_FIELDS else source.get(field.name)
        typed[field.name] = _as_typed(field.kind, value)
    return typed


def _as_typed(kind: str, value) -> str:
    if value is None or value is False:
        return ""
    if kind == "money" or kind == "percent":  # cents and basis points, as typed: "12.5", "7.25", "12"
        return units(value, 2, grouping=False)
    if kind == "date":
        return value.date().isoformat()
    if kind in ("countries", "emails"):
        return ", ".join(value)
    if kind == "bool":
        return "on"
    return str(value)


def save_step(issuer: dict, offering_id: str, step_key: str, form: dict, today: date | None = None) -> StepResult:
    """Validate and save one step; on errors nothing is written and the typed values come back."""
    doc = owned(issuer, offering_id)
    st = find_step(step_key)
    if st is None or st.key in ("documents", "review"):
        raise NotFound(step_key)
    if doc["status"] not in offerings.EDITABLE:
        raise Locked(offering_id)
    stored, typed, errors = validate_step(st, form, today or date.today())
    if errors:
        return StepResult(False, typed, errors)
    db, oid, next_step = get_db(), doc["_id"], current_step_after(st.key)
    with locks.offering(oid):
        if st.repeat:
            saved = offerings.push_entry(db, oid, issuer["_id"], st.path, stored, st.key)
        else:
            fields = {(name if name in TOP_LEVEL_FIELDS else f"{st.path}.{name}"): value
                      for name, value in stored.items()}
            saved = offerings.save_fields(db, oid, issuer["_id"], fields, st.key, next_step)
    if not saved:
        raise Locked(offering_id)
    return StepResult(True, {} if st.repeat else typed, {})


def remove_entry(issuer: dict, offering_id: str, step_key: str, index: int) -> None:
    doc = owned(issuer, offering_id)
    st = find_step(step_key)
    if st is None or not st.repeat:
        raise NotFound(step_key)
    with locks.offering(doc["_id"]):
        removed = offerings.remove_entry(get_db(), doc["_id"], issuer["_id"], st.path, index)
    if not removed:
        raise Locked(offering_id)


def attach_file(issuer: dict, offering_id: str, slot: str, stream, label: str = "") -> None:
    """Store an image (overview) or document upload; raises uploads.UploadRefused with the reason."""
    doc = owned(issuer, offering_id)
    if doc["status"] not in offerings.EDITABLE:
        raise Locked(offering_id)
    images, documents = dict(IMAGES), dict(NAMED_DOCUMENTS)
    if slot not in images and slot not in documents and slot != "custom":
        raise NotFound(slot)
    label = _document_label(label)
    kinds = ("png", "jpg", "webp") if slot in images else tuple(uploads.FORMATS)
    with uploads.Batch(upload_dir(), str(doc["_id"]), current_app.config["UPLOAD_MAX_BYTES"], kinds) as batch:
        stored = batch.store(stream)  # a refused file is never written; one whose save fails is removed
        db = get_db()
        with locks.offering(doc["_id"]):
            if slot == "custom":
                saved = offerings.push_entry(db, doc["_id"], issuer["_id"], "documents.customDocs",
                                             {"docsLabel": label or "Document", "value": stored.name}, "documents")
            else:
                path = f"overview.{slot}" if slot in images else f"documents.{slot}"
                saved = offerings.save_fields(db, doc["_id"], issuer["_id"], {path: stored.name}, "documents",
                                              current_step_after("documents", stay=True))
        if not saved:
            raise Locked(offering_id)
        batch.keep()


def _document_label(label: str) -> str:
    """A custom document's label: one line of text, at most text_rules.LABEL_CHARS (shown on the offering page)."""
    label = (label or "").strip()
    refused = text_rules.problem(label, max_chars=text_rules.LABEL_CHARS)
    if refused:
        raise uploads.UploadRefused(f"Label: {refused}")
    return label


def upload_dir() -> str:
    return current_app.config["UPLOAD_DIR"]


def submit(issuer: dict, offering_id: str) -> list[str]:
    """Send for review; returns what still blocks the submission (nothing sent then)."""
    doc = owned(issuer, offering_id)
    if doc["status"] not in offerings.EDITABLE:
        raise Locked(offering_id)
    problems = submission_problems(doc)
    if problems:
        return problems
    with locks.offering(doc["_id"]):
        changed = offerings.transition(get_db(), doc["_id"], offerings.EDITABLE,
                                       {"status": "submitted", "isFinalSubmission": True,
                                        "submittedAt": datetime.now(UTC)}, owner_id=issuer["_id"])
    if changed is None:
        raise Locked(offering_id)
    audit.record("offering.submitted", actor=issuer, details={"offeringId": offering_id})
    return []


def dashboard(issuer: dict) -> list[dict]:
    """The issuer's offerings with status, raise and investor count."""
    now = datetime.now(UTC)
    return [{"id": str(d["_id"]), "title": (d.get("overview") or {}).get("title") or "Untitled offering",
             "status": d["status"], "raised": d.get("raisedAmount") or 0, "target": listing.target_amount(d),
             "funded_bps": listing.funded_bps(d), "investors": d.get("investorCount") or 0,
             "state": listing.listing_state(d, now), "step": resume_step(d).key}
            for d in offerings.of_owner(get_db(), issuer["_id"])]


def offering_changed(offering_id: str) -> None:
    """Every listed view of the offering follows a change (page cache and marketplace catalogue)."""
    cache.offering_changed(offering_id)
