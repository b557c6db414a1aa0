"""What each provider event means for the user, and which event is newer."""

import pytest

from app.domain.onboarding import kyc_rules as r


def reviewed(answer, **result):
    return {"applicantId": "a", "type": "applicantReviewed", "reviewStatus": "completed",
            "createdAtMs": "2026-11-25 10:00:00.123", "reviewResult": {"reviewAnswer": answer, **result}}


def test_event_time_normalises_so_that_strings_sort_in_time_order():
    assert r.event_time({"createdAtMs": "2026-11-25 10:00:00.5"}) == "2026-11-25 10:00:00.500000"
    assert r.event_time({"createdAtMs": "2026-11-25 10:00:00"}) == "2026-11-25 10:00:00.000000"
    later, earlier = r.event_time({"createdAtMs": "2026-11-25 10:00:00.45"}), r.event_time(
        {"createdAtMs": "2026-11-25 10:00:00.123"})
    assert later > earlier


@pytest.mark.parametrize("raw", ["", "yesterday", "2026-11-25", "2026-11-25 10:00:00.1234567"])
def test_event_time_refuses_malformed_dates(raw):
    with pytest.raises(r.BadEvent):
        r.event_time({"createdAtMs": raw})


def test_only_strictly_newer_events_apply():
    assert r.is_newer("2026-01-01 00:00:00.000001", None)
    assert r.is_newer("2026-01-01 00:00:00.000002", "2026-01-01 00:00:00.000001")
    assert not r.is_newer("2026-01-01 00:00:00.000001", "2026-01-01 00:00:00.000001")  # a replay
    assert not r.is_newer("2025-12-31 23:59:59.999999", "2026-01-01 00:00:00.000000")  # out of order


def test_green_review_approves_and_counts():
    update = r.update_for(reviewed("GREEN"))
    assert update.values["kycStatus"] == r.APPROVED and update.values["isKyc"] is True
    assert update.counts and update.approved and not update.unlock


def test_red_retry_rejects_with_the_reason_and_allows_resubmission():
    update = r.update_for(reviewed("RED", reviewRejectType="RETRY", rejectLabels=["UNSATISFACTORY_PHOTOS"],
                                   moderationComment="The photo is blurred."))
    assert update.values["kycStatus"] == r.REJECTED and update.values["isKyc"] is False
    assert update.values["kycReason"] == "The photo is blurred. (UNSATISFACTORY_PHOTOS)"
    assert update.unlock and update.counts


def test_red_final_rejects_without_resubmission():
    update = r.update_for(reviewed("RED", reviewRejectType="FINAL", rejectLabels=["FORGERY"]))
    assert update.values["kycFinalRejection"] is True and not update.unlock


def test_pending_and_created_do_not_count_a_review():
    pending = r.update_for({"applicantId": "a", "type": "applicantPending", "reviewStatus": "pending"})
    assert pending.values["kycStatus"] == r.PENDING and not pending.counts
    created = r.update_for({"applicantId": "a", "type": "applicantCreated", "reviewStatus": "init"})
    assert "kycStatus" not in created.values and created.values["sumSubKycStatus"] == "init"


def test_other_event_types_change_nothing_and_missing_ids_are_refused():
    assert r.update_for({"applicantId": "a", "type": "applicantPersonalInfoChanged"}) is None
    with pytest.raises(r.BadEvent):
        r.update_for({"type": "applicantReviewed"})
