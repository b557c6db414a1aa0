"""KYC provider webhooks: verify, record, enqueue; then apply to the user idempotently and in order.

The rules (DESIGN.md, "Outside providers"):
- the signature is checked over the raw body before anything is parsed; a forged or altered
  body gets 401 and nothing is stored or enqueued;
- the exact same signed bytes seen again are a replay: 401, nothing enqueued;
- the endpoint only records and enqueues (job `app.tasks.kyc.apply_kyc_event` on `kyc`);
- the job sets the user's fields in one conditional update that matches only while the
  user's `kycEventAt` is older than the event, so a repeat changes nothing and an older
  event never overwrites a newer one; it holds `locks.user` meanwhile, as a reviewer's
  decision does (app/locks.py), or the older event could be written last;
- a provider's stage event (created, pending, ...) never changes a decided state and is stamped
  apart (`kycStageAt`), so it cannot reorder decisions either (app.domain.onboarding.kyc_state);
- a webhook for an applicant we do not know is recorded with outcome `unknownApplicant`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError

from app import locks
from app.data import kyc_webhooks, user_details, users
from app.data.mongo import get_db
from app.domain.compliance import rekyc
from app.domain.onboarding import kyc_rules, kyc_state
from app.domain.onboarding.identities import enqueue_identities
from app.domain.platform import stage_mails
from app.providers.payloads import load_object
from app.providers.sumsub import verify_webhook
from app.tasks import kyc as kyc_jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict


def receive_webhook(raw_body: bytes, digest: str | None, alg: str | None) -> WebhookAnswer:
    """Verify, record and enqueue one delivery; the answer the endpoint sends back."""
    config = current_app.config
    if not verify_webhook(config["KYC_WEBHOOK_SECRET"], raw_body, digest, alg):
        log.warning("KYC webhook refused: signature does not match the body")
        return WebhookAnswer(401, {"error": "invalid signature"})
    try:
        payload = load_object(raw_body)
        event_at = kyc_rules.event_time(payload)
        kyc_rules.update_for(payload)
    except (ValueError, kyc_rules.BadEvent) as error:
        log.warning("KYC webhook refused: %s", error)
        return WebhookAnswer(400, {"error": "malformed payload"})
    event_id = hashlib.sha256(raw_body).hexdigest()
    db = get_db()
    if not kyc_webhooks.record(db, event_id, payload, event_at):
        log.warning("KYC webhook %s refused: replay of a delivery already received", event_id)
        return WebhookAnswer(401, {"error": "replayed delivery"})
    try:
        kyc_jobs.apply_kyc_event.delay(event_id, job_id=f"kyc-{event_id}")
    except RedisError:
        kyc_webhooks.forget(db, event_id)  # the provider retries; the retry must not look like a replay
        raise
    return WebhookAnswer(200, {"ok": True, "id": event_id})


def _user_of(db, payload: dict) -> dict | None:
    return users.by_kyc_applicant(db, str(payload.get("applicantId") or ""), str(payload.get("externalUserId") or ""))


def apply_event(event_id: str) -> str:
    """Apply a recorded webhook to its user; returns (and records) the outcome. Safe to run again."""
    db = get_db()
    event = kyc_webhooks.get(db, event_id)
    if event is None:
        raise LookupError(f"no KYC webhook {event_id}")
    payload, event_at = event["payload"], event["eventAt"]
    update = kyc_rules.update_for(payload)
    user = _user_of(db, payload)
    if user is None:
        log.warning("KYC webhook %s for unknown applicant %s", event_id, payload.get("applicantId"))
        kyc_webhooks.set_outcome(db, event_id, kyc_webhooks.UNKNOWN_APPLICANT)
        return kyc_webhooks.UNKNOWN_APPLICANT
    if update is None:
        kyc_webhooks.set_outcome(db, event_id, kyc_webhooks.IGNORED, user["_id"])
        return kyc_webhooks.IGNORED
    values = {**update.values, "kycApplicationId": str(payload["applicantId"])}
    stage = kyc_state.is_stage(str(payload["type"]))
    with locks.user(user["_id"]):
        changed = _apply_stage(db, user["_id"], event_at, values) if stage else False
        if not stage:
            users.apply_kyc_event(db, user["_id"], event_at, values, count=update.counts)
            _close_renewal(db, user["_id"], event_at)
        current = users.by_id(db, user["_id"])
    applied = changed or current.get(kyc_state.STAGE_AT) == event_at if stage else \
        current.get("kycEventAt") == event_at
    if not applied:
        kyc_webhooks.set_outcome(db, event_id, kyc_webhooks.STALE, user["_id"])
        return kyc_webhooks.STALE
    after_decision(current, update)  # idempotent, so a rerun after a crash here completes it
    _tell_decision(current, update, event_id)
    kyc_webhooks.set_outcome(db, event_id, kyc_webhooks.APPLIED, user["_id"])
    return kyc_webhooks.APPLIED


def _apply_stage(db, user_id, event_at: str, values: dict) -> bool:
    """A stage event's two updates (kyc_state.apply): its status unless decided, its details if the latest."""
    status, details = kyc_state.split(values)
    changed = bool(status) and users.apply_kyc_event(db, user_id, event_at, status, stamp=None,
                                                     when=kyc_state.condition(event_at, stage=True))
    if status and not changed:  # a renewal's new check reports progress on the renewal, not on the decision
        changed = users.apply_kyc_event(db, user_id, event_at, {kyc_state.RENEWAL_STATUS: kyc_state.RENEWAL_PENDING},
                                        stamp=None, when=kyc_state.renewal_condition(event_at))
    return users.apply_kyc_event(db, user_id, event_at, details, stamp=kyc_state.STAGE_AT,
                                 when=kyc_state.details_condition(event_at)) or changed


def _close_renewal(db, user_id, event_at: str) -> None:
    """The decision just applied answers the open renewal when stamped after it started (kyc_state)."""
    users.set_if(db, user_id, {"kycEventAt": event_at, kyc_state.RENEWAL_STATUS: {"$in": list(kyc_state.RENEWAL_OPEN)},
                               kyc_state.RENEWAL_AT: {"$lt": event_at}}, {kyc_state.RENEWAL_STATUS: None})


def _tell_decision(user: dict, update: kyc_rules.KycUpdate, event_id: str) -> None:
    """A completed review is mailed once per provider event (a replayed webhook is not mailed again)."""
    decision = {kyc_rules.APPROVED: "approve", kyc_rules.REJECTED: "reject",
                kyc_rules.CHANGES_REQUESTED: "changes"}.get(update.values.get("kycStatus"))
    if update.counts and decision:
        stage_mails.kyc_decided(user, decision, update.values.get("kycReason") or "", event=event_id)


def after_decision(user: dict, update: kyc_rules.KycUpdate) -> None:
    """What follows a decision: unlock the data for a resubmission, or create the on-chain identities (and a
    renewal's claim); a rejection after an approval ends it like an expiry: claim revoked, paid orders held."""
    db = get_db()
    if update.unlock:
        with locks.userdetails(user["_id"]):
            user_details.unlock(db, user["_id"])
    if update.approved:
        enqueue_identities(user["_id"])
    elif update.counts and user.get("kycApprovedAt") and not user.get("isKyc"):
        rekyc.ended_by_provider(user)
