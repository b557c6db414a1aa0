"""KYC webhooks end to end inside the platform: signature, replay, order, unknown applicants, resubmission.

Deliveries go through the real endpoint; the `kyc` queue is real Redis and the job runs in a
real RQ worker (burst mode, in this process).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rq import SimpleWorker

from app.data import kyc_webhooks, user_details, users
from app.domain.onboarding.kyc import apply_event
from app.extensions import redis_client
from app.providers.sumsub import signed_webhook
from app.tasks import queues

URL = "/webhooks/kyc/sumsub"


@pytest.fixture
def investor(db):
    user_id = users.insert(db, {"email": "ada@example.com", "mobile": "+4400001", "userType": "investor",
                                "kycStatus": "submitted", "kycCount": 0})
    user_details.ensure(db, user_id)
    user_details.lock(db, user_id)
    return user_id


def payload(user_id, kind="applicantReviewed", at="2026-11-25 10:00:00.000", answer=None, **result):
    body = {"applicantId": f"app-{user_id}", "inspectionId": "i1", "externalUserId": str(user_id),
            "levelName": "basic-kyc-level", "type": kind, "createdAtMs": at,
            "reviewStatus": "completed" if kind == "applicantReviewed" else "pending"}
    if answer:
        body["reviewResult"] = {"reviewAnswer": answer, **result}
    return body


def deliver(client, app, body: dict, *, secret=None, tamper=None):
    raw, headers = signed_webhook(secret or app.config["KYC_WEBHOOK_SECRET"], body)
    if tamper:
        raw = tamper(raw)
    return client.post(URL, data=raw, headers=headers)


def queued(app) -> int:
    return queues.queue(queues.KYC).count


def run_jobs(app) -> None:
    connection = redis_client.get()
    SimpleWorker([queues.queue(queues.KYC)], connection=connection).work(burst=True)


def test_signed_delivery_is_queued_and_applied(client, app, db, investor):
    response = deliver(client, app, payload(investor, answer="GREEN"))
    assert response.status_code == 200 and queued(app) == 1
    run_jobs(app)
    user = users.by_id(db, investor)
    assert (user["kycStatus"], user["isKyc"], user["kycCount"]) == ("approved", True, 1)
    assert user["sumSubKycStatus"] == "completed" and user["webhookReceived"] == "applicantReviewed"
    assert user["kycApplicationId"] == f"app-{investor}"


def test_forged_or_altered_delivery_gets_401_and_nothing_is_queued(client, app, db, investor):
    forged = deliver(client, app, payload(investor, answer="GREEN"), secret="not-the-secret-" * 3)
    altered = deliver(client, app, payload(investor, answer="RED"),
                      tamper=lambda raw: raw.replace(b'"RED"', b'"GREEN"'))
    unsigned = client.post(URL, json=payload(investor, answer="GREEN"))
    assert [r.status_code for r in (forged, altered, unsigned)] == [401, 401, 401]
    assert queued(app) == 0 and kyc_webhooks.recent(db) == []
    assert users.by_id(db, investor)["kycStatus"] == "submitted"


def test_replayed_delivery_gets_401_and_changes_nothing(client, app, db, investor):
    body = payload(investor, answer="GREEN")
    assert deliver(client, app, body).status_code == 200
    run_jobs(app)
    before = users.by_id(db, investor)
    replay = deliver(client, app, body)
    assert replay.status_code == 401 and queued(app) == 0
    run_jobs(app)
    assert users.by_id(db, investor)["kycCount"] == before["kycCount"] == 1


def test_job_run_twice_changes_nothing_more(client, app, db, investor):
    response = deliver(client, app, payload(investor, answer="GREEN"))
    run_jobs(app)
    event_id = response.get_json()["id"]
    assert kyc_webhooks.get(db, event_id)["outcome"] == "applied"
    assert apply_event(event_id) == "applied"  # follow-ups are re-checked; the update itself is not repeated
    assert users.by_id(db, investor)["kycCount"] == 1


def test_older_event_delivered_late_never_overwrites_a_newer_one(client, app, db, investor):
    rejected = payload(investor, at="2026-11-25 10:00:00.000", answer="RED", reviewRejectType="RETRY",
                       moderationComment="Blurred photo")
    approved = payload(investor, at="2026-11-25 11:00:00.000", answer="GREEN")
    pending = payload(investor, kind="applicantPending", at="2026-11-25 09:00:00.000")
    for body in (approved, rejected, pending):
        assert deliver(client, app, body).status_code == 200
    run_jobs(app)
    user = users.by_id(db, investor)
    assert (user["kycStatus"], user["isKyc"], user["kycCount"]) == ("approved", True, 1)
    outcomes = sorted(e["outcome"] for e in kyc_webhooks.recent(db))
    assert outcomes == ["applied", "stale", "stale"]


def test_unknown_applicant_is_recorded_and_answered_without_error(client, app, db):
    body = payload("65a000000000000000000000", answer="GREEN")
    response = deliver(client, app, body)
    assert response.status_code == 200
    run_jobs(app)
    assert kyc_webhooks.recent(db)[0]["outcome"] == "unknownApplicant"
    bad_id = {**body, "externalUserId": "not-an-id", "applicantId": "nobody"}
    assert deliver(client, app, bad_id).status_code == 200
    run_jobs(app)
    assert [e["outcome"] for e in kyc_webhooks.recent(db)] == ["unknownApplicant", "unknownApplicant"]


def test_malformed_signed_payload_is_refused_with_400(client, app, db, investor):
    body = payload(investor, answer="GREEN")
    body["createdAtMs"] = "soon"
    assert deliver(client, app, body).status_code == 400 and queued(app) == 0


def test_rejection_with_retry_unlocks_the_application_and_a_resubmission_is_reviewed_again(client, app, db,
                                                                                              investor):
    deliver(client, app, payload(investor, at="2026-11-25 10:00:00.000", answer="RED", reviewRejectType="RETRY",
                                 rejectLabels=["DOCUMENT_PAGE_MISSING"], moderationComment="Back side missing"))
    run_jobs(app)
    user = users.by_id(db, investor)
    assert user["kycStatus"] == "rejected" and user["kycReason"] == "Back side missing (DOCUMENT_PAGE_MISSING)"
    assert user_details.get(db, investor)["isFinalSubmission"] is False  # the investor may correct and resubmit
    assert user_details.lock(db, investor)  # resubmitted, as app.domain.onboarding.service.submit does:
    users.set_fields(db, investor, {"kycStatus": "submitted", "kycReason": ""})  # a decided state takes no stage event
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    deliver(client, app, payload(investor, kind="applicantPending", at=now))
    run_jobs(app)
    assert users.by_id(db, investor)["kycStatus"] == "pending"
    later = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    deliver(client, app, payload(investor, at=later, answer="GREEN"))
    run_jobs(app)
    user = users.by_id(db, investor)
    assert (user["kycStatus"], user["kycCount"], user["kycReason"]) == ("approved", 2, "")
