"""E-signature webhooks through the real endpoint, Redis queue and an RQ worker: forged, replayed, out of order,
rotated keys."""

from __future__ import annotations

import pytest
from bson import ObjectId

from app.data import esign_webhooks
from app.domain.whitelisting.webhooks import apply_event
from app.providers.docusign import signed_delivery
from app.tasks import queues
from tests.fixtures.processes import run_jobs

URL = "/webhooks/esign/docusign"
ENVELOPE = "6f1c2b1e-0000-4000-8000-000000000001"
OLD_KEY, NEW_KEY = "old-connect-key-" + "o" * 24, "new-connect-key-" + "n" * 24


@pytest.fixture
def whitelist(db):
    doc = {"_id": ObjectId(), "userId": ObjectId(), "offeringId": ObjectId(), "address": "0x" + "a" * 40,
           "status": "pending_signature", "taStatus": "pending", "is_signed": False, "is_expired": False,
           "envelopeId": ENVELOPE}
    db.whitelists.insert_one(doc)
    return doc["_id"]


def connect(status: str, at: str, **summary) -> dict:
    return {"event": f"envelope-{status}", "apiVersion": "v2.1", "retryCount": 0, "generatedDateTime": at,
            "data": {"accountId": "sandbox-account", "envelopeId": ENVELOPE,
                     "envelopeSummary": {"status": status, "envelopeId": ENVELOPE, **summary}}}


def deliver(client, app, payload: dict, keys=None, tamper=None):
    raw, headers = signed_delivery(keys or app.config["ESIGN_HMAC_KEYS"], payload)
    return client.post(URL, data=tamper(raw) if tamper else raw, headers=headers)


def queued() -> int:
    return queues.queue(queues.ESIGN).count


def state(db, whitelist_id) -> tuple:
    doc = db.whitelists.find_one({"_id": whitelist_id})
    return doc["status"], doc["is_signed"], doc["is_expired"]


def test_a_signed_completion_is_queued_and_marks_the_agreement_signed(client, app, db, whitelist):
    response = deliver(client, app, connect("completed", "2026-11-25T10:00:00.1234567Z"))
    assert response.status_code == 200 and queued() == 1
    assert run_jobs("esign") == 1
    assert state(db, whitelist) == ("signed", True, False)
    assert esign_webhooks.get(db, response.get_json()["id"])["outcome"] == "applied"


def test_forged_unsigned_or_altered_deliveries_get_401_and_nothing_is_queued(client, app, db, whitelist):
    forged = deliver(client, app, connect("completed", "2026-11-25T10:00:00Z"), keys=["not-our-key-" + "x" * 30])
    altered = deliver(client, app, connect("declined", "2026-11-25T10:00:00Z"),
                      tamper=lambda raw: raw.replace(b'"declined"', b'"completed"'))
    unsigned = client.post(URL, json=connect("completed", "2026-11-25T10:00:00Z"))
    assert [r.status_code for r in (forged, altered, unsigned)] == [401, 401, 401]
    assert queued() == 0 and esign_webhooks.recent(db) == []
    assert state(db, whitelist) == ("pending_signature", False, False)


def test_a_replayed_or_retried_delivery_is_acknowledged_but_applied_once(client, app, db, whitelist):
    body = connect("completed", "2026-11-25T10:00:00Z")
    first = deliver(client, app, body)
    replay = deliver(client, app, body)
    retry = deliver(client, app, {**body, "retryCount": 2})  # Connect's retry: same message, another body
    assert [r.status_code for r in (first, replay, retry)] == [200, 200, 200]
    assert replay.get_json()["duplicate"] is True and retry.get_json()["duplicate"] is True
    assert queued() == 1 and len(esign_webhooks.recent(db)) == 1
    run_jobs("esign")
    assert state(db, whitelist) == ("signed", True, False)


def test_out_of_order_deliveries_never_let_an_older_event_overwrite_a_newer_one(client, app, db, whitelist):
    completed = connect("completed", "2026-11-25T10:00:05Z")
    delivered = connect("delivered", "2026-11-25T10:00:01Z")
    declined = connect("declined", "2026-11-25T10:00:03Z", declinedReason="changed my mind")
    for body in (completed, delivered, declined):  # the newest arrives first
        assert deliver(client, app, body).status_code == 200
    assert run_jobs("esign") == 3
    assert state(db, whitelist) == ("signed", True, False)
    assert sorted(d["outcome"] for d in esign_webhooks.recent(db)) == ["applied", "stale", "stale"]


def test_events_in_order_each_apply(client, app, db, whitelist):
    deliver(client, app, connect("delivered", "2026-11-25T10:00:01Z"))
    run_jobs("esign")
    deliver(client, app, connect("voided", "2026-11-25T11:00:00Z", voidedReason="Envelope has expired"))
    run_jobs("esign")
    assert state(db, whitelist) == ("expired", False, True)


def test_a_job_run_twice_changes_nothing_more(client, app, db, whitelist):
    response = deliver(client, app, connect("completed", "2026-11-25T10:00:00Z"))
    run_jobs("esign")
    before = db.whitelists.find_one({"_id": whitelist})
    assert apply_event(response.get_json()["id"]) == "applied"
    assert db.whitelists.find_one({"_id": whitelist}) == before


def test_rotated_keys_the_old_one_works_while_listed_and_not_after(client, app, db, whitelist):
    app.config["ESIGN_HMAC_KEYS"] = (NEW_KEY, OLD_KEY)  # rotation under way: both keys configured
    old_signed = deliver(client, app, connect("delivered", "2026-11-25T10:00:01Z"), keys=[OLD_KEY])
    new_signed = deliver(client, app, connect("delivered", "2026-11-25T10:00:02Z"), keys=[NEW_KEY])
    both = deliver(client, app, connect("delivered", "2026-11-25T10:00:03Z"), keys=[NEW_KEY, OLD_KEY])
    assert [r.status_code for r in (old_signed, new_signed, both)] == [200, 200, 200]
    app.config["ESIGN_HMAC_KEYS"] = (NEW_KEY,)  # rotation finished: the old key is removed
    refused = deliver(client, app, connect("completed", "2026-11-25T10:00:04Z"), keys=[OLD_KEY])
    accepted = deliver(client, app, connect("completed", "2026-11-25T10:00:05Z"), keys=[OLD_KEY, NEW_KEY])
    assert (refused.status_code, accepted.status_code) == (401, 200)
    run_jobs("esign")
    assert state(db, whitelist) == ("signed", True, False)


def test_unknown_envelope_and_malformed_payloads(client, app, db, whitelist):
    other = connect("completed", "2026-11-25T10:00:00Z")
    other["data"]["envelopeId"] = other["data"]["envelopeSummary"]["envelopeId"] = "unknown-envelope"
    assert deliver(client, app, other).status_code == 200
    run_jobs("esign")
    assert esign_webhooks.recent(db)[0]["outcome"] == "unknownEnvelope"
    assert deliver(client, app, connect("completed", "tomorrow")).status_code == 400
    assert client.post(URL, data=b"[]", headers=signed_delivery(app.config["ESIGN_HMAC_KEYS"], {})[1]).status_code \
        == 401  # the signature covers another body
    assert queued() == 0 and state(db, whitelist) == ("pending_signature", False, False)


def test_a_decided_request_is_not_changed_by_a_late_event(client, app, db, whitelist):
    db.whitelists.update_one({"_id": whitelist}, {"$set": {"status": "rejected", "adminStatus": "rejected"}})
    deliver(client, app, connect("completed", "2026-11-25T10:00:00Z"))
    run_jobs("esign")
    assert db.whitelists.find_one({"_id": whitelist})["status"] == "rejected"
