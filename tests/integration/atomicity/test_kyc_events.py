"""KYC provider events for one applicant applied by several workers at once: the newest one is what stays.

FerretDB v1 lets two "apply only if newer" updates of one user both pass their condition; without the
user's lock an older event applied at the same moment as a newer one could be written last."""

from __future__ import annotations

from app.data import kyc_webhooks, user_details, users
from app.domain.accounts import staff
from app.domain.onboarding.kyc import apply_event
from tests.fixtures.accounts import make_user
from tests.integration.atomicity.conftest import race

ROUNDS = 6
EVENTS = [("applicantPending", "2026-11-25 10:00:01.000", None),
          ("applicantReviewed", "2026-11-25 10:00:02.000", "RED"),
          ("applicantPending", "2026-11-25 10:00:03.000", None),
          ("applicantReviewed", "2026-11-25 10:00:04.000", "GREEN")]


def record(db, user_id, n: int, kind: str, at: str, answer: str | None) -> str:
    body = {"applicantId": f"app-{user_id}", "inspectionId": "i1", "externalUserId": str(user_id),
            "levelName": "basic-kyc-level", "type": kind, "createdAtMs": at,
            "reviewStatus": "completed" if kind == "applicantReviewed" else "pending"}
    if answer:
        body["reviewResult"] = {"reviewAnswer": answer, "reviewRejectType": "RETRY", "moderationComment": "blurry"}
    event_id = f"kyc-{user_id}-{n}"
    assert kyc_webhooks.record(db, event_id, body, at)
    return event_id


def test_events_applied_at_once_leave_the_newest(app, db):
    for round_number in range(ROUNDS):
        user_id = users.insert(db, {"email": f"k{round_number}@example.com", "mobile": f"+44{round_number:08d}",
                                    "userType": "investor", "kycStatus": "submitted", "kycCount": 0})
        user_details.ensure(db, user_id)
        user_details.lock(db, user_id)
        event_ids = [record(db, user_id, n, *event) for n, event in enumerate(EVENTS)]
        outcomes = race(app, [lambda e=e: apply_event(e) for e in event_ids * 2])
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        user = users.by_id(db, user_id)
        assert (user["kycEventAt"], user["kycStatus"], user["isKyc"]) == (EVENTS[-1][1], "approved", True)
        assert kyc_webhooks.get(db, event_ids[-1])["outcome"] == kyc_webhooks.APPLIED


def test_a_deactivation_and_kyc_events_at_once_keep_both(app, db):
    """Two writers of different fields of one user: FerretDB v1 rewrites the whole document, so without
    the user's lock on both sides a KYC event written at the same moment put the account back active."""
    with app.app_context():
        admin = make_user("admin")
    for round_number in range(ROUNDS):
        user_id = users.insert(db, {"email": f"d{round_number}@example.com", "mobile": f"+45{round_number:08d}",
                                    "userType": "investor", "kycStatus": "submitted", "kycCount": 0,
                                    "isActive": True})
        user_details.ensure(db, user_id)
        event_ids = [record(db, user_id, n, *event) for n, event in enumerate(EVENTS)]
        outcomes = race(app, [lambda u=str(user_id): staff.deactivate(admin, u, "127.0.0.1")]
                        + [lambda e=e: apply_event(e) for e in event_ids])
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        user = users.by_id(db, user_id)
        assert user["isActive"] is False, "the deactivation stands"
        assert (user["kycEventAt"], user["kycStatus"]) == (EVENTS[-1][1], "approved"), "so does the newest event"
