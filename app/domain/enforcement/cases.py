"""Enforcement cases, the use cases: make one (reason, evidence, checks), approve, reject, cancel, retry.

Each decision is one conditional state change under the case's lock (locks.agent_action), then the audit
entry (written to `auditLogs` and published on `platform.events`), then the job it starts. The maker of a
burn, forced transfer or recovery never approves it; approving twice finds it approved and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from web3 import Web3

from app import locks
from app.data import agent_actions, offerings
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.enforcement import checks, rules
from app.domain.platform import audit, numerals, uploads
from app.tasks import enforcement as enforcement_jobs

log = logging.getLogger(__name__)


class NotFound(errors.NotFound):
    """No such case or offering (404)."""


class NotAllowed(errors.NotAllowed):
    """The actor may not take this decision (403): the maker approving their own burn, transfer or recovery."""


class Refused(errors.Refused):
    """The decision cannot be taken now (already decided, no reason given)."""


def listing(config: dict, state: str = "", offering_id: str = "") -> list[dict]:
    oid = parse_id(offering_id) if offering_id else None
    return agent_actions.listing(get_db(config), state if state in rules.STATE_LABELS else "", oid)


def case(config: dict, case_id: str) -> dict:
    cid = parse_id(case_id)
    found = agent_actions.by_id(get_db(config), cid) if cid else None
    if found is None:
        raise NotFound(case_id)
    return found


def offering(config: dict, offering_id: str) -> dict:
    oid = parse_id(offering_id)
    found = offerings.by_id(get_db(config), oid) if oid else None
    if found is None:
        raise NotFound(offering_id)
    return found


def decimals_of(found: dict) -> int:
    return int((found.get("projectDetails") or {}).get("tokenDecimals") or 0)


def parse(found: dict, form: dict) -> tuple[str, dict, str, int]:
    """(kind, params, reason, time-lock hours) from the form; checks.CaseRefused naming the field otherwise."""
    kind = str(form.get("kind") or "")
    if kind not in rules.KIND_LABELS:
        raise checks.CaseRefused("Choose what to do.", "kind")
    params: dict = {}
    for name in rules.PARAMS[kind]:
        try:
            if name == "amount":
                params[name] = numerals.parse_tokens(form.get(name), decimals_of(found))
            else:
                params[name] = Web3.to_checksum_address(rules.parse_wallet(form.get(name)))
        except ValueError as error:
            raise checks.CaseRefused(str(error), name) from None
    try:
        reason = rules.clean_reason(form.get("reason"))
    except ValueError as error:
        raise checks.CaseRefused(str(error), "reason") from None
    try:
        hours = rules.parse_time_lock(form.get("time_lock_hours"))
    except ValueError as error:
        raise checks.CaseRefused(str(error), "time_lock_hours") from None
    return kind, params, reason, hours


def make(config: dict, actor: dict, offering_id: str, case_id: str, form: dict, files: list) -> tuple[dict, bool]:
    """Record a case (pending approval) after every check; (case, True), or (the case already made from this
    very form, False) when the form is posted again. Evidence is stored only when the case is."""
    cid = parse_id(case_id)
    if cid is None:
        raise checks.CaseRefused("This form has expired: open the new-case page again.", "kind")
    existing = agent_actions.by_id(get_db(config), cid)
    if existing is not None:
        if str(existing["makerId"]) != str(actor["_id"]):
            raise NotFound(case_id)
        return existing, False
    found = offering(config, offering_id)
    kind, params, reason, hours = parse(found, form)
    files = [f for f in files if f is not None and getattr(f, "filename", "")]
    if not files:
        raise checks.CaseRefused("Attach at least one evidence document (PDF, PNG, JPEG or WebP).", "evidence")
    if len(files) > rules.MAX_EVIDENCE:
        raise checks.CaseRefused(f"Attach at most {rules.MAX_EVIDENCE} documents.", "evidence")
    checks.check(config, found, kind, params)
    if kind == rules.RECOVERY:  # kept: after the recovery the lost wallet leaves the registry
        params["identity"] = checks.identity_of(config, found, params["wallet"])
    with uploads.Batch(config["UPLOAD_DIR"], str(cid), config["UPLOAD_MAX_BYTES"]) as batch:
        evidence = [_evidence(config, cid, batch.store(f.stream)) for f in files]
        doc = {"_id": cid, "offeringId": found["_id"], "tokenAddress": found["tokenAddress"], "kind": kind,
               "params": params, "reason": reason, "evidence": evidence, "makerId": actor["_id"],
               "makerEmail": actor.get("email"), "approvals": [], "timeLockHours": hours, "state": rules.PENDING,
               "attempt": 1, "tokenDecimals": decimals_of(found),
               "offeringTitle": (found.get("overview") or {}).get("title") or "",
               "history": [{"state": rules.PENDING, "at": datetime.now(UTC), "by": actor["_id"], "note": ""}]}
        stored, created = agent_actions.insert(get_db(config), doc)
        if created:
            batch.keep()
    if created:
        _audit("agent_action.created", actor, stored)
        log.info("agent action %s (%s) made by %s", cid, kind, actor["_id"])
    return stored, created


def _evidence(config: dict, case_id: ObjectId, stored: uploads.StoredFile) -> dict:
    """What the case keeps of a document: its generated name, type, size and SHA-256 (read back from disk)."""
    path, _type = uploads.locate(config["UPLOAD_DIR"], str(case_id), stored.name)
    return {"name": stored.name, "contentType": stored.content_type, "size": stored.size,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def evidence_file(config: dict, case_id: str, name: str):
    """(path, content type) of one evidence document of an existing case; NotFound for anything else."""
    found = case(config, case_id)
    if name not in {e["name"] for e in found.get("evidence") or ()}:
        raise NotFound(name)
    return uploads.locate(config["UPLOAD_DIR"], str(found["_id"]), name)


def approve(config: dict, actor: dict, case_id: str, remark: str = "") -> str:
    """The checker's approval (or the maker's confirmation of a one-person kind); returns the new state."""
    try:
        remark = rules.clean_note(remark, required=False, what="approved")
    except ValueError as error:
        raise Refused(str(error), "remark") from None
    found = case(config, case_id)
    now = datetime.now(UTC)
    with locks.agent_action(found["_id"], config):
        found = case(config, case_id)
        if found["state"] == rules.PENDING and rules.is_own_approval(found, actor["_id"]):
            raise NotAllowed(rules.approve_refusal(found, actor["_id"]))
        _refuse(rules.approve_refusal(found, actor["_id"]))
        state = rules.after_approval(found["kind"], len(found.get("approvals") or ()) + 1, found["timeLockHours"])
        changes = {"state": state, "approvedAt": now}
        if state == rules.TIME_LOCKED:
            changes["executeAfter"] = now + timedelta(hours=found["timeLockHours"])
        approval = {"userId": actor["_id"], "email": actor.get("email"), "at": now, "remark": remark}
        if not agent_actions.transition(get_db(config), found["_id"], rules.PENDING, changes, by=actor["_id"],
                                        note=remark, push={"approvals": approval}):
            raise Refused("This case was decided by someone else just now.")
    found = {**found, **changes}
    _audit("agent_action.approved", actor, found, remark=remark)
    enforcement_jobs.enqueue(config, found)
    return state


def reject(config: dict, actor: dict, case_id: str, note: str) -> str:
    return _close(config, actor, case_id, note, rules.REJECTED, rules.reject_refusal)


def cancel(config: dict, actor: dict, case_id: str, note: str) -> str:
    return _close(config, actor, case_id, note, rules.CANCELLED, rules.cancel_refusal)


def _close(config: dict, actor: dict, case_id: str, note: str, state: str, refusal) -> str:
    try:
        note = rules.clean_note(note, required=True, what=state)
    except ValueError as error:
        raise Refused(str(error), "note") from None
    found = case(config, case_id)
    with locks.agent_action(found["_id"], config):
        found = case(config, case_id)
        _refuse(refusal(found, actor["_id"]))
        if not agent_actions.transition(get_db(config), found["_id"], found["state"],
                                        {"state": state, "closedAt": datetime.now(UTC), "closeNote": note},
                                        by=actor["_id"], note=note):
            raise Refused("This case was changed by someone else just now.")
    _audit(f"agent_action.{state}", actor, found, note=note)
    return state


def retry(config: dict, actor: dict, case_id: str) -> str:
    """A failed case sent again as a new attempt (new chain jobs: the failed ones took no effect)."""
    found = case(config, case_id)
    with locks.agent_action(found["_id"], config):
        found = case(config, case_id)
        _refuse(rules.retry_refusal(found))
        attempt = int(found.get("attempt") or 1) + 1
        if not agent_actions.transition(get_db(config), found["_id"], rules.FAILED,
                                        {"state": rules.APPROVED, "attempt": attempt, "error": None},
                                        by=actor["_id"], note=f"sent again (attempt {attempt})"):
            raise Refused("This case was changed by someone else just now.")
    found = {**found, "state": rules.APPROVED, "attempt": attempt}
    _audit("agent_action.retried", actor, found, attempt=attempt)
    enforcement_jobs.enqueue(config, found)
    return rules.APPROVED


def requeue_unfinished(config: dict) -> list[str]:
    """Enqueue every case approved, executing or time-locked (after an outage or a killed worker); safe to repeat."""
    found = agent_actions.in_states(get_db(config), (rules.APPROVED, rules.EXECUTING, rules.TIME_LOCKED))
    for each in found:
        enforcement_jobs.enqueue(config, each)
    return [str(each["_id"]) for each in found]


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise Refused(reason)


def _audit(event: str, actor: dict | None, found: dict, **details) -> None:
    audit.record(event, actor=actor, details={
        "agentActionId": str(found["_id"]), "offeringId": str(found["offeringId"]), "kind": found["kind"],
        "state": found.get("state"), **{k: v for k, v in details.items() if v not in (None, "")}})
