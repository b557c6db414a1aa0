"""The back office's side of whitelisting: the request list, the transfer agent's and the admin's decisions,
and the on-chain registration an approval leads to.

Who decides what: the offering's assigned transfer agent (projectDetails.taId), or an admin, records taStatus; staff
holding the `whitelist` permission record the final status, which for an approval needs the
signature and the agent's approval first. Each decision is one conditional update made under
`locks.whitelist` (app/locks.py), so two reviewers cannot both decide; it is audited and
emailed to the investor. Approval then
registers the investor's identity in the offering's IdentityRegistry through an exactly-once
chain job keyed by the whitelist id; chain-sync marks the request approved once the
registration is on chain.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pycountry
from bson import ObjectId
from flask import current_app

from app import locks
from app.data import offerings, users, whitelists
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.offerings.service import NotFound
from app.domain.onboarding.identities import create_identities
from app.domain.platform import audit, chain_ops, notifications
from app.domain.whitelisting import rules
from app.tasks import esign as esign_jobs

TA_OFFERING_STATUSES = ("approved", "deploying", "live", "closed")


class Conflict(errors.Refused, RuntimeError):
    """The request changed under the reviewer (someone else decided first)."""


def _is_ta(actor: dict, offering: dict | None) -> bool:
    return bool(offering) and str((offering.get("projectDetails") or {}).get("taId") or "") == str(actor["_id"])


def _acts_as_ta(actor: dict, offering: dict | None) -> bool:
    """The transfer agent's step is the assigned agent's, or an admin's (issue 18: never another staff member's)."""
    return _is_ta(actor, offering) or (bool(offering) and actor.get("userType") == "admin")


def _ta_offering_ids(actor: dict) -> list:
    return [o["_id"] for o in offerings.for_review(get_db(), TA_OFFERING_STATUSES) if _is_ta(actor, o)]


def list_requests(actor: dict, offering_id: str = "", status: str = "") -> list[dict]:
    """Requests the actor may see: all with `whitelist`, else those of offerings they are transfer agent of."""
    scope = None if has_permission(actor, "whitelist") else _ta_offering_ids(actor)
    if offering_id:
        wanted = parse_id(offering_id)
        scope = [wanted] if scope is None or wanted in scope else []
    return whitelists.search(get_db(), offering_ids=scope, status=status if status in rules.STATUSES else "")


def offerings_for_filter(actor: dict) -> list[dict]:
    scope = None if has_permission(actor, "whitelist") else set(_ta_offering_ids(actor))
    return [{"id": str(o["_id"]), "title": (o.get("overview") or {}).get("title") or "Untitled"}
            for o in offerings.for_review(get_db(), TA_OFFERING_STATUSES) if scope is None or o["_id"] in scope]


def request_for(actor: dict, whitelist_id: str) -> tuple[dict, dict]:
    """(whitelist, offering) if the actor may see the request; NotFound otherwise (no hint it exists)."""
    db = get_db()
    oid = parse_id(whitelist_id)
    whitelist = whitelists.get(db, oid) if oid else None
    offering = offerings.by_id(db, whitelist["offeringId"]) if whitelist else None
    if whitelist is None or not (has_permission(actor, "whitelist") or _is_ta(actor, offering)):
        raise NotFound(whitelist_id)
    return whitelist, offering or {}


def abilities(actor: dict, whitelist: dict, offering: dict) -> dict:
    """Which decision forms the page shows the actor."""
    return {"ta": _acts_as_ta(actor, offering) and rules.ta_refusal(whitelist, rules.TA_APPROVED, "x") is None,
            "final": has_permission(actor, "whitelist") and (
                rules.final_refusal(whitelist, rules.REJECTED, "x") is None)}


def registration(whitelist: dict) -> dict | None:
    job_id = whitelist.get("registrationJobId")
    return chain_ops.job_status(current_app.config, job_id) if job_id else None


def ta_decide(actor: dict, whitelist_id: str, decision: str, reason: str = "") -> dict:
    """The transfer agent approves or rejects (a rejection is final and needs a reason)."""
    whitelist, offering = request_for(actor, whitelist_id)
    if not _acts_as_ta(actor, offering):
        raise errors.NotAllowed("only the offering's assigned transfer agent, or an admin, records this decision")
    reason = reason.strip()[:2000]
    refusal = rules.ta_refusal(whitelist, decision, reason)
    if refusal:
        raise errors.Refused(refusal)
    fields = {"taStatus": decision, "taReason": reason, "taDecidedBy": str(actor["_id"]),
              "taDecidedAt": datetime.now(UTC)}
    if decision == rules.TA_REJECTED:
        fields.update(status=rules.REJECTED, whiteListReason=reason)
    with locks.whitelist(whitelist["_id"]):
        updated = whitelists.decide(get_db(), whitelist["_id"], {"status": rules.SIGNED,
                                                                 "taStatus": rules.TA_PENDING,
                                                                 "adminStatus": {"$exists": False}}, fields)
    if updated is None:
        raise Conflict("This request was decided meanwhile; reload to see the latest state.")
    event = "whitelist.ta_approved" if decision == rules.TA_APPROVED else "whitelist.ta_rejected"
    _record(event, actor, updated, reason)
    _tell_investor(updated, "The transfer agent approved your subscription" if decision == rules.TA_APPROVED
                   else "Your subscription was not approved", reason)
    return updated


def decide(actor: dict, whitelist_id: str, decision: str, reason: str = "") -> dict:
    """The final decision; an approval starts the on-chain registration of the investor's identity."""
    if not has_permission(actor, "whitelist"):
        raise errors.NotAllowed("the final decision needs the whitelist permission")
    whitelist, _offering = request_for(actor, whitelist_id)
    reason = reason.strip()[:2000]
    refusal = rules.final_refusal(whitelist, decision, reason)
    if refusal:
        raise errors.Refused(refusal)
    now, by = datetime.now(UTC), str(actor["_id"])
    if decision == rules.APPROVED:
        condition = {"status": rules.SIGNED, "taStatus": rules.TA_APPROVED, "adminStatus": {"$exists": False}}
        fields = {"adminStatus": rules.APPROVED, "whiteListReason": reason, "decidedBy": by, "decidedAt": now}
    else:
        condition = {"status": {"$in": [rules.PENDING_SIGNATURE, rules.SIGNED]}, "adminStatus": {"$exists": False}}
        fields = {"adminStatus": rules.REJECTED, "status": rules.REJECTED, "whiteListReason": reason,
                  "decidedBy": by, "decidedAt": now}
    with locks.whitelist(whitelist["_id"]):
        updated = whitelists.decide(get_db(), whitelist["_id"], condition, fields)
    if updated is None:
        raise Conflict("This request was decided meanwhile; reload to see the latest state.")
    if decision == rules.APPROVED:
        enqueue_registration(updated["_id"])
    _record(f"whitelist.{decision}", actor, updated, reason)
    _tell_investor(updated, "Your whitelisting is approved" if decision == rules.APPROVED
                   else "Your whitelisting was not approved", reason, registering=decision == rules.APPROVED)
    return updated


def enqueue_registration(whitelist_id: ObjectId) -> None:
    esign_jobs.register_investor.delay(str(whitelist_id), job_id=f"whitelist-register-{whitelist_id}",
                                       description=f"register the investor of whitelist {whitelist_id}")


def register_investor(whitelist_id: str) -> str | None:
    """Register the approved investor's wallet in the offering's IdentityRegistry; the chain job's id.

    The identity (and its KYC claim) come from the investor identity path, which finds what
    exists on chain and creates only what is missing; the registration is one chain job keyed
    by the whitelist id, so running this twice sends one transaction.
    """
    config, db = current_app.config, get_db()
    whitelist = whitelists.get(db, ObjectId(whitelist_id))
    if whitelist is None or whitelist.get("adminStatus") != rules.APPROVED:
        return None
    offering = offerings.by_id(db, whitelist["offeringId"]) or {}
    user = users.by_id(db, whitelist["userId"]) or {}
    registry = offering.get("identityRegistry")
    if not registry:
        raise RuntimeError(f"offering {whitelist['offeringId']} has no identity registry (token not deployed)")
    identity = create_identities(str(whitelist["userId"])).get(whitelist["address"])
    if not identity:
        raise RuntimeError(f"no ONCHAINID identity for wallet {whitelist['address']} (KYC or wallet no longer valid)")
    job_id = chain_ops.register_identities(config, str(whitelist["_id"]), registry, [whitelist["address"]],
                                           [identity], [country_code(user.get("residenceCountry"))])
    with locks.whitelist(whitelist["_id"]):  # chain-sync may be marking the request approved at this moment
        whitelists.set_fields(db, whitelist["_id"], {"registrationJobId": job_id, "identity": identity})
    return job_id


def country_code(alpha_2: str | None) -> int:
    """ISO 3166 numeric code, as IdentityRegistry stores investor countries (uint16)."""
    country = pycountry.countries.get(alpha_2=str(alpha_2 or "").upper()) if alpha_2 else None
    if country is None:
        raise RuntimeError(f"unknown country of residence {alpha_2!r}")
    return int(country.numeric)


def _record(event: str, actor: dict, whitelist: dict, reason: str) -> None:
    subject = users.by_id(get_db(), whitelist["userId"])
    audit.record(event, actor=actor, subject=subject, details={
        "whitelistId": str(whitelist["_id"]), "offeringId": str(whitelist["offeringId"]), "reason": reason})


def _tell_investor(whitelist: dict, subject: str, reason: str, registering: bool = False) -> None:
    investor = users.by_id(get_db(), whitelist["userId"])
    if investor is None:
        return
    title = whitelist.get("offeringTitle") or "the offering"
    notifications.send_email(investor["email"], f"{subject}: {title}", "whitelist_decision",
                             {"decision": subject, "offering_title": title, "reason": reason,
                              "registering": registering}, investor["_id"])
