"""Issuers create offerings step by step; the final submission sends them to the back office.

Every function takes the acting user's document and ids, checks ownership itself (another
issuer's offering is "not found", revealing nothing) and returns plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app

from app import cache, locks
from app.data import offerings, user_details
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.marketplace import listing
from app.domain.offerings.page import public_view
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
from app.domain.offerings.summary import prefill
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
    """A new offering owned by the issuer, at the first step, its overview prefilled from the approved
    issuer application (company name, entity type, website, business, source of funds, location)."""
    now = datetime.now(UTC)
    known = prefill(user_details.get(get_db(), issuer["_id"]))
    offering_id = offerings.insert(get_db(), {
        "userId": issuer["_id"], "createdBy": issuer["_id"], "status": "draft", "currentStep": 1,
        "completedSteps": [], "isActive": True, "isDelete": False, "isFinalSubmission": False,
        "isTokenDeploy": False, "raisedAmount": 0, "tokensSold": 0, "createdAt": now,
        "projectDetails": {"issuerId": str(issuer["_id"]), "tokenStandard": "ERC-3643", "isPrivate": False,
                           "customFields": [], "offeringMembers": [], "authorizedCountries": []},
        "overview": known, "documents": {"customDocs": []}, "team": []})
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


def _as_typed(kind: str, value):
    if kind == "country_caps":  # the saved rows, as the form's rows
        return [{"country": code, "cap": str(cap)} for code, cap in sorted((value or {}).items())]
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
    stored, typed, errors = validate_step(st, form, today or date.today(), doc.get("projectDetails") or {})
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


def attach_file(issuer: dict, offering_id: str, slot: str, stream, label: str = "", file_name: str = "") -> None:
    """Store an image (overview) or document upload; raises uploads.UploadRefused with the reason.

    `file_name` (the name the issuer's file had) is kept only to show it back; the stored name is generated."""
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
        shown = _display_name(file_name, stored.name)
        db = get_db()
        with locks.offering(doc["_id"]):
            before = offerings.by_id(db, doc["_id"]) or doc  # a replaced file is dropped like a removed one
            if slot == "custom":
                saved = offerings.push_entry(db, doc["_id"], issuer["_id"], "documents.customDocs",
                                             {"docsLabel": label or shown, "value": stored.name,
                                              "fileName": shown, "size": stored.size}, "documents")
            else:
                path = f"overview.{slot}" if slot in images else f"documents.{slot}"
                saved = offerings.save_fields(db, doc["_id"], issuer["_id"], {
                    path: stored.name, f"fileInfo.{slot}": {"name": shown, "size": stored.size}}, "documents",
                    current_step_after("documents", stay=True))
        if not saved:
            raise Locked(offering_id)
        batch.keep()
    _discard_unreferenced(before)


def detach_file(issuer: dict, offering_id: str, slot: str) -> None:
    """Remove an uploaded image or document from the offering while it is editable; its stored file is
    deleted too unless the offering was submitted before (`_discard_unreferenced`)."""
    doc = owned(issuer, offering_id)
    if doc["status"] not in offerings.EDITABLE:
        raise Locked(offering_id)
    images, documents = dict(IMAGES), dict(NAMED_DOCUMENTS)
    db = get_db()
    with locks.offering(doc["_id"]):
        before = offerings.by_id(db, doc["_id"]) or doc  # read under the lock: what this removal drops
        if slot.startswith("custom-") and slot[7:].isascii() and slot[7:].isdigit() and len(slot) <= 12:
            saved = offerings.remove_entry(db, doc["_id"], issuer["_id"], "documents.customDocs", int(slot[7:]))
        elif slot in images or slot in documents:
            path = f"overview.{slot}" if slot in images else f"documents.{slot}"
            saved = offerings.save_fields(db, doc["_id"], issuer["_id"], {path: None, f"fileInfo.{slot}": None},
                                          "documents", current_step_after("documents", stay=True))
        else:
            raise NotFound(slot)
    if not saved:
        raise Locked(offering_id)
    _discard_unreferenced(before)


def stored_files(doc: dict) -> set[str]:
    """The stored names an offering's fields point at: images, named documents, other documents."""
    overview, documents = doc.get("overview") or {}, doc.get("documents") or {}
    names = {overview.get(slot) for slot, _ in IMAGES} | {documents.get(slot) for slot, _ in NAMED_DOCUMENTS}
    names |= {(entry or {}).get("value") for entry in documents.get("customDocs") or []}
    return {name for name in names if isinstance(name, str) and name}


def _discard_unreferenced(before: dict) -> None:
    """Delete the files an edit took off an offering that was never submitted (nobody else has seen them).
    Once submitted, reviewers decided on those files: they stay in the offering's folder for the audit."""
    if before.get("submittedAt"):
        return
    after = offerings.by_id(get_db(), before["_id"]) or {}
    for name in stored_files(before) - stored_files(after):
        uploads.discard(upload_dir(), str(before["_id"]), name)


def _display_name(file_name: str, stored_name: str) -> str:
    """The issuer's own file name, for showing only: its last path part, one line, at most 120 characters."""
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or text_rules.problem(name, max_chars=text_rules.LABEL_CHARS):
        return stored_name
    return name


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


def public_preview(doc: dict) -> dict:
    """What the offering's public page will show (app.domain.offerings.page.public_view), for its issuer."""
    return public_view(doc, datetime.now(UTC))


def offering_changed(offering_id: str) -> None:
    """Every listed view of the offering follows a change (page cache and marketplace catalogue)."""
    cache.offering_changed(offering_id)
