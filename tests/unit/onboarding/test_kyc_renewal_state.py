"""A renewal is a new generation: its own stage events show on the renewal, never on the decided status, and
the old check's late stage events touch nothing; its decision applies as any decision and closes the renewal."""

from hypothesis import given
from hypothesis import strategies as st

from app.domain.compliance import renewal
from app.domain.onboarding import kyc_rules as r
from app.domain.onboarding import kyc_state as s
from tests.unit.onboarding.test_kyc_state import at, decision, deliver, stage_event

EXPIRED = {"kycStatus": s.EXPIRED, "isKyc": False, "kycEventAt": at(10), "kycApplicationId": "a"}


def renewing(state: dict, n: int) -> dict:
    return {**state, s.RENEWAL_AT: at(n), s.RENEWAL_STATUS: s.RENEWAL_REQUESTED}


def test_the_renewals_pending_event_shows_on_the_renewal_and_keeps_the_expiry():
    after = deliver(renewing(EXPIRED, 20), [stage_event("applicantPending", 21)])
    assert after["kycStatus"] == s.EXPIRED and after["isKyc"] is False
    assert after[s.RENEWAL_STATUS] == s.RENEWAL_PENDING and after[s.STAGE_AT] == at(21)


def test_a_stage_event_of_the_old_check_does_not_touch_the_renewal():
    before = renewing(EXPIRED, 20)
    assert deliver(before, [stage_event("applicantPending", 15)]) == before


def test_an_approved_investor_renewing_keeps_the_approval_while_the_check_runs():
    approved = {"kycStatus": r.APPROVED, "isKyc": True, "kycEventAt": at(10), "kycWarningDays": 60}
    after = deliver(renewing(approved, 20), [stage_event("applicantPending", 21)])
    assert (after["kycStatus"], after["isKyc"], after[s.RENEWAL_STATUS]) == (r.APPROVED, True, s.RENEWAL_PENDING)


def test_the_renewals_approval_approves_and_closes_the_renewal():
    after = deliver(renewing(EXPIRED, 20), [stage_event("applicantPending", 21), decision("GREEN", 30)])
    assert (after["kycStatus"], after["isKyc"], after[s.RENEWAL_STATUS]) == (r.APPROVED, True, None)
    assert after["kycApprovedAt"] == at(30)


@given(st.permutations([stage_event("applicantPending", 21), stage_event("applicantPrechecked", 22),
                        stage_event("applicantPending", 15), decision("GREEN", 30)]))
def test_any_delivery_order_ends_approved_with_the_renewal_closed(events):
    after = deliver(renewing(EXPIRED, 20), events)
    assert (after["kycStatus"], after["isKyc"], after["kycEventAt"]) == (r.APPROVED, True, at(30))
    assert after[s.RENEWAL_STATUS] is None


def test_conditions_are_the_same_rules_as_renewing():
    assert s.renewal_condition(at(21)) == {"$and": [
        {"$or": [{s.DECISION_AT: {"$exists": False}}, {s.DECISION_AT: {"$lt": at(21)}}]},
        {s.RENEWAL_STATUS: {"$in": [s.RENEWAL_REQUESTED, s.RENEWAL_PENDING]}}, {s.RENEWAL_AT: {"$lt": at(21)}}]}


def test_who_may_renew():
    assert renewal.may_renew(EXPIRED)
    assert renewal.may_renew({"kycStatus": r.APPROVED, "kycWarningDays": 60, "kycApplicationId": "a"})
    assert not renewal.may_renew({"kycStatus": r.APPROVED, "kycWarningDays": None, "kycApplicationId": "a"})
    assert not renewal.may_renew(renewing(EXPIRED, 20))  # one renewal at a time
    assert not renewal.may_renew({"kycStatus": r.REJECTED, "kycApplicationId": "a"})
