"""The race seen on `make run`: a reviewer approves right after submission, then the provider's earlier-stage
webhooks (applicant created, pending) arrive stamped later. They must not take the approval back; a real later
decision by the provider still does.

Everything real: the reviewer decides through the admin route, deliveries go through the signed webhook
endpoint, the `kyc` job runs in an RQ worker on the session's Redis, the user is read back from FerretDB.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from app.data import kyc_webhooks, user_details, users
from tests.integration.onboarding.conftest import form_post, page, signed_in
from tests.integration.onboarding.test_kyc_webhooks import deliver, payload, run_jobs


def stamp(after_seconds: float) -> str:
    """A provider createdAtMs this many seconds after now (later than the reviewer's decision)."""
    return (datetime.now(UTC) + timedelta(seconds=after_seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@pytest.fixture
def submitted(db):
    user_id = users.insert(db, {"email": "grace@example.com", "mobile": "+4400077", "userType": "investor",
                                "kycStatus": "submitted", "kycCount": 0})
    user_details.ensure(db, user_id)
    user_details.lock(db, user_id)
    return user_id


def approve(app, user_id) -> None:
    reviewer = app.test_client()
    signed_in(reviewer, "subadmin", permissions=["kyc"])
    response = form_post(reviewer, f"/admin/review/kyc/{user_id}/decision", {"decision": "approve"})
    assert response.status_code in (200, 303)


def kyc_fields(db, user_id) -> tuple:
    user = users.by_id(db, ObjectId(user_id))
    return user["kycStatus"], user["isKyc"], user["kycCount"]


def test_late_created_and_pending_webhooks_leave_the_approval_as_it_is(client, app, db, submitted):
    approve(app, submitted)
    assert kyc_fields(db, submitted) == ("approved", True, 1)
    decided_at = users.by_id(db, submitted)["kycEventAt"]
    for kind, later in (("applicantCreated", 1), ("applicantPending", 2)):
        assert deliver(client, app, payload(submitted, kind=kind, at=stamp(later))).status_code == 200
    run_jobs(app)
    user = users.by_id(db, submitted)
    assert (user["kycStatus"], user["isKyc"], user["kycCount"]) == ("approved", True, 1)
    assert user["kycEventAt"] == decided_at  # the decision's clock is untouched by stage events
    assert sorted(e["outcome"] for e in kyc_webhooks.recent(db)) == ["stale", "stale"]


def test_the_investor_page_still_says_approved_after_the_late_webhook(app, db):
    investor = app.test_client()
    user_id = ObjectId(signed_in(investor, "investor")["_id"])
    users.set_fields(db, user_id, {"kycStatus": "submitted", "kycCount": 0})
    user_details.ensure(db, user_id)
    user_details.lock(db, user_id)
    approve(app, user_id)
    assert deliver(app.test_client(), app, payload(user_id, kind="applicantPending", at=stamp(1))).status_code == 200
    run_jobs(app)
    assert kyc_fields(db, user_id) == ("approved", True, 1)
    text = page(investor, "/onboarding/").text
    assert "approved" in text.lower() and "pending" not in text.lower()


def test_a_provider_rejection_after_the_approval_still_applies(client, app, db, submitted):
    approve(app, submitted)
    assert deliver(client, app, payload(submitted, kind="applicantPending", at=stamp(3))).status_code == 200
    rejection = payload(submitted, at=stamp(2), answer="RED", reviewRejectType="FINAL",
                        moderationComment="Document forged")
    assert deliver(client, app, rejection).status_code == 200
    run_jobs(app)
    user = users.by_id(db, submitted)
    assert (user["kycStatus"], user["isKyc"], user["kycCount"]) == ("rejected", False, 2)
    assert "Document forged" in user["kycReason"]


def test_before_any_decision_stage_events_still_show_progress_in_any_order(client, app, db, submitted):
    created, pending = stamp(2), stamp(1)  # created stamped after pending, delivered after it too
    for kind, at in (("applicantPending", pending), ("applicantCreated", created)):
        assert deliver(client, app, payload(submitted, kind=kind, at=at)).status_code == 200
    run_jobs(app)
    user = users.by_id(db, submitted)
    assert (user["kycStatus"], user.get("isKyc", False)) == ("pending", False) and "kycEventAt" not in user
    assert user["webhookReceived"] == "applicantCreated"  # the provider's details follow its latest event
