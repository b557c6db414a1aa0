"""E-signature (Connect) webhooks: verify, record, enqueue; then apply to the whitelist idempotently and in order.

The rules (DESIGN.md, "Outside providers"):
- the HMAC is checked over the raw body before anything is parsed, against every configured
  key (rotation); a forged, unsigned or altered delivery gets 401 and nothing is stored or enqueued;
- the same message again (a replay, or Connect retrying a delivery whose answer it missed) is
  acknowledged with 200 so the provider stops, and is neither recorded nor enqueued twice;
- the endpoint only records and enqueues (job `app.tasks.esign.apply_esign_event` on `esign`);
- the job changes the whitelist in one conditional update matching only while its
  `esignEventAt` is older than the event, so an older event never overwrites a newer one;
  it holds `locks.whitelist` meanwhile (app/locks.py), or two workers applying two events could both apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from hashlib import sha256

from flask import current_app
from redis.exceptions import RedisError

from app import locks
from app.data import esign_webhooks, whitelists
from app.data.mongo import get_db
from app.domain.whitelisting import rules
from app.providers.docusign import verify_connect
from app.providers.payloads import load_object
from app.tasks import esign as esign_jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict


def receive_webhook(raw_body: bytes, headers) -> WebhookAnswer:
    """Verify, record and enqueue one delivery; the answer the endpoint sends back."""
    if not verify_connect(current_app.config["ESIGN_HMAC_KEYS"], raw_body, headers):
        log.warning("e-signature webhook refused: no configured key signed this body")
        return WebhookAnswer(401, {"error": "invalid signature"})
    try:
        payload = load_object(raw_body)
        event = rules.parse_event(payload)
    except (ValueError, rules.BadEvent) as error:
        log.warning("e-signature webhook refused: %s", error)
        return WebhookAnswer(400, {"error": "malformed payload"})
    delivery_id = sha256(event.delivery_id.encode()).hexdigest()
    db = get_db()
    if not esign_webhooks.record(db, delivery_id, event.envelope_id, event.event, event.at, payload):
        log.info("e-signature webhook %s already received; acknowledged, not applied again", delivery_id)
        return WebhookAnswer(200, {"ok": True, "id": delivery_id, "duplicate": True})
    try:
        esign_jobs.apply_esign_event.delay(delivery_id, job_id=f"esign-{delivery_id}")
    except RedisError:
        esign_webhooks.forget(db, delivery_id)  # the provider retries; the retry must not look like a duplicate
        raise
    return WebhookAnswer(200, {"ok": True, "id": delivery_id})


def apply_event(delivery_id: str) -> str:
    """Apply a recorded delivery to its whitelist; returns (and records) the outcome. Safe to run again."""
    db = get_db()
    delivery = esign_webhooks.get(db, delivery_id)
    if delivery is None:
        raise LookupError(f"no e-signature webhook {delivery_id}")
    event = rules.parse_event(delivery["payload"])
    target = whitelists.by_envelope(db, event.envelope_id)
    if target is None:
        log.warning("e-signature webhook %s for unknown envelope %s", delivery_id, event.envelope_id)
        esign_webhooks.set_outcome(db, delivery_id, esign_webhooks.UNKNOWN_ENVELOPE)
        return esign_webhooks.UNKNOWN_ENVELOPE
    if not event.values:  # an envelope status that changes nothing for us (e.g. "created")
        esign_webhooks.set_outcome(db, delivery_id, esign_webhooks.STALE)
        return esign_webhooks.STALE
    with locks.whitelist(target["_id"]):
        applied = whitelists.apply_esign_event(db, event.envelope_id, event.at, event.values, rules.ESIGN_STAGES)
    current = whitelists.by_envelope(db, event.envelope_id)
    # a rerun after a crash finds its own event already stored: that is applied, not stale
    outcome = esign_webhooks.APPLIED if applied or current.get("esignEventAt") == event.at else esign_webhooks.STALE
    esign_webhooks.set_outcome(db, delivery_id, outcome)
    return outcome
