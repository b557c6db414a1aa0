"""Staff decide transfer requests (permission `transfers`, or the offering's transfer agent for its own offerings):
approve with a remark, or reject with a reason.

Each decision is one conditional update from `pending` under the request's lock (two reviewers
cannot both decide; app/locks.py), then the audit entry, then the execution job. The maker of a
request, and the investor whose tokens it moves, never decide it (four eyes).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app import locks
from app.data import offerings, transfer_requests, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.platform import audit
from app.domain.transfers import new_owner, notices, rules
from app.tasks import transfers as transfer_jobs

log = logging.getLogger(__name__)


class NotFound(errors.NotFound):
    """No such transfer request (404)."""


class NotAllowed(errors.NotAllowed):
    """The maker of a request may not decide it (403)."""


class DecisionRefused(errors.Refused):
    """The request cannot be decided as asked (already decided, no reason given)."""


TA_OFFERING_STATUSES = ("approved", "deploying", "live", "closed")


def agent_offering_ids(config: dict, actor: dict) -> list | None:
    """The offerings whose requests `actor` decides: None (all) with the `transfers` permission, else those whose
    transfer agent (projectDetails.taId) they are."""
    if has_permission(actor, "transfers"):
        return None
    return [o["_id"] for o in offerings.for_review(get_db(config), TA_OFFERING_STATUSES, limit=10_000)
            if str((o.get("projectDetails") or {}).get("taId") or "") == str(actor["_id"])]


def may_review(config: dict, actor: dict) -> bool:
    """Whether the back office's transfer requests open for `actor` at all (the permission, or an assigned TA)."""
    scope = agent_offering_ids(config, actor)
    return scope is None or bool(scope)


def requests(config: dict, status: str = "", actor: dict | None = None) -> list[dict]:
    scope = agent_offering_ids(config, actor) if actor is not None else None
    return transfer_requests.listing(get_db(config), status if status in rules.STATUS_LABELS else "",
                                     offering_ids=scope)


def request(config: dict, request_id: str, actor: dict | None = None) -> dict:
    """One request; a transfer agent sees only their offerings' (another's reads as missing)."""
    rid = parse_id(request_id)
    found = transfer_requests.by_id(get_db(config), rid) if rid else None
    scope = agent_offering_ids(config, actor) if found is not None and actor is not None else None
    if found is None or (scope is not None and found["offeringId"] not in scope):
        raise NotFound(request_id)
    return found


def approve(config: dict, actor: dict, request_id: str, remark: str = "") -> str:
    """Approve and queue the execution; returns the new status."""
    return _decide(config, actor, request_id, remark, approve=True)


def reject(config: dict, actor: dict, request_id: str, reason: str) -> str:
    return _decide(config, actor, request_id, reason, approve=False)


def _decide(config: dict, actor: dict, request_id: str, remark: str, *, approve: bool) -> str:
    try:
        remark = rules.clean_remark(remark, required=not approve)
    except ValueError as error:
        raise DecisionRefused(str(error), "remark") from None
    found = request(config, request_id)
    if rules.is_maker(actor["_id"], found):
        raise NotAllowed("You made this request (or hold its tokens), so someone else must decide it.")
    request(config, request_id, actor)  # a transfer agent decides their own offerings' requests only
    status = rules.APPROVED if approve else rules.REJECTED
    with locks.transfer_request(found["_id"], config):
        found = request(config, request_id)
        refusal = rules.state_refusal(found)
        if refusal:
            raise DecisionRefused(refusal)
        changes = {"status": status, "remark": remark, "decidedBy": actor["_id"], "decidedAt": datetime.now(UTC)}
        if approve and found.get("kind") == rules.NEW_OWNER:  # who the new owner is, checked now (new_owner.py)
            owner, refusal = new_owner.approval_check(config, found)
            if refusal:
                raise DecisionRefused(f"Not approved yet: {refusal} The request waits.")
            changes["toUserId"] = owner["_id"]
        if not transfer_requests.transition(get_db(config), found["_id"], rules.PENDING, changes, close=not approve):
            raise DecisionRefused("This request was decided by someone else just now.")
    subject = users.by_id(get_db(config), found["userId"])
    audit.record(f"transfer.{status}", actor=actor, subject=subject, details={
        "transferRequestId": str(found["_id"]), "offeringId": str(found["offeringId"]), "remark": remark})
    if approve:
        enqueue_execution(config, found["_id"])
    else:
        notices.tell_investor(config, found, status, remark)
    log.info("transfer request %s %s by %s", found["_id"], status, actor["_id"])
    return status


def enqueue_execution(config: dict, request_id) -> None:
    transfer_jobs.execute_transfer.delay(str(request_id), job_id=f"transfer-{request_id}",
                                         description=f"execute transfer request {request_id}", config=config)


def requeue_approved(config: dict) -> list[str]:
    """Enqueue the execution of every approved request not completed yet (after an outage); safe to repeat."""
    ids = [str(found["_id"]) for found in transfer_requests.listing(get_db(config), rules.APPROVED, limit=10_000)]
    for request_id in ids:
        enqueue_execution(config, request_id)
    return ids
