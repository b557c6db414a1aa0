"""A provider's stage event never undoes a decision; the final state depends only on decisions and their order."""

from hypothesis import given
from hypothesis import strategies as st

from app.domain.onboarding import kyc_rules as r
from app.domain.onboarding import kyc_state as s
from app.domain.onboarding import revocation

SUBMITTED = {"kycStatus": r.SUBMITTED, "isKyc": False}
STAGE_KINDS = ("applicantCreated", "applicantPending", "applicantOnHold", "applicantPrechecked")
DECISIONS = ("GREEN", "RED", "staff-approve", "staff-reject", "staff-changes", "staff-revoke")
# the fields a decision fixes (a stage event may also set sumSubKycStatus etc. before one)
DECIDED_FIELDS = ("kycStatus", "isKyc", "kycReason", "kycEventAt")


def at(n: int) -> str:
    return f"2026-11-25 10:{n // 60:02d}:{n % 60:02d}.000000"


def stage_event(kind: str, n: int) -> tuple:
    payload = {"applicantId": "a", "type": kind, "reviewStatus": "pending", "createdAtMs": at(n)}
    return at(n), r.update_for(payload).values, True


def decision(kind: str, n: int) -> tuple:
    """A provider review (through the webhook rules) or a staff decision (values as review.py sets them)."""
    if kind in ("GREEN", "RED"):
        payload = {"applicantId": "a", "type": "applicantReviewed", "reviewStatus": "completed",
                   "createdAtMs": at(n), "reviewResult": {"reviewAnswer": kind, "moderationComment": "blurred"}}
        return at(n), r.update_for(payload).values, False
    values = {"staff-approve": {"kycStatus": r.APPROVED, "isKyc": True, "kycReason": ""},
              "staff-reject": {"kycStatus": r.REJECTED, "isKyc": False, "kycReason": "no"},
              "staff-changes": {"kycStatus": r.CHANGES_REQUESTED, "isKyc": False, "kycReason": "fix"},
              "staff-revoke": {"kycStatus": s.REVOKED, "isKyc": False, "kycReason": "fraud"}}[kind]
    return at(n), values, False


def deliver(state: dict, events) -> dict:
    for event_at, values, stage in events:
        state = s.apply(state, event_at, values, stage=stage)
    return state


def fixed(state: dict) -> dict:
    return {k: state.get(k) for k in DECIDED_FIELDS}


def test_the_reported_race_a_late_created_or_pending_webhook_keeps_the_approval():
    approved = deliver(SUBMITTED, [decision("staff-approve", 10)])
    for kind in STAGE_KINDS:
        after = deliver(approved, [stage_event(kind, 20)])
        assert after["kycStatus"] == r.APPROVED and after["isKyc"] is True
        assert after == approved  # not even its stamp: a later decision stamped before it still applies


def test_a_decision_after_an_approval_still_changes_it():
    approved = deliver(SUBMITTED, [decision("GREEN", 10), stage_event("applicantPending", 30)])
    rejected = deliver(approved, [decision("RED", 20)])  # stamped before the stage event, delivered after it
    assert rejected["kycStatus"] == r.REJECTED and rejected["isKyc"] is False


def test_stage_events_move_an_undecided_application_forward_in_time_order_only():
    pending = deliver(SUBMITTED, [stage_event("applicantPending", 5)])
    assert pending["kycStatus"] == r.PENDING and pending["kycStageAt"] == at(5)
    assert deliver(pending, [stage_event("applicantPending", 4)]) == pending  # older: ignored
    assert deliver(pending, [stage_event("applicantPending", 5)]) == pending  # a replay


def test_a_stage_event_older_than_the_last_decision_is_ignored_even_after_a_resubmission():
    rejected = deliver(SUBMITTED, [decision("RED", 10)])
    resubmitted = {**rejected, "kycStatus": r.SUBMITTED}  # the investor submitted again (service.submit)
    assert deliver(resubmitted, [stage_event("applicantPending", 8)]) == resubmitted
    assert deliver(resubmitted, [stage_event("applicantPending", 12)])["kycStatus"] == r.PENDING


def test_decided_statuses_include_the_revocation_and_expiry_statuses():
    assert (revocation.REVOKED, revocation.EXPIRED) == (s.REVOKED, s.EXPIRED)
    assert set(s.DECIDED) == {r.APPROVED, r.REJECTED, r.CHANGES_REQUESTED, s.REVOKED, s.EXPIRED}


def test_conditions_are_the_same_rules_as_admits():
    newer_decision = {"$or": [{"kycEventAt": {"$exists": False}}, {"kycEventAt": {"$lt": at(1)}}]}
    assert s.condition(at(1), stage=False) == newer_decision
    assert s.condition(at(1), stage=True) == {"$and": [newer_decision, {"kycStatus": {"$nin": list(s.DECIDED)}}]}
    assert s.details_condition(at(1)) == {"$and": [  # undecided, or the stage of an open renewal's new check
        {"$or": [s.condition(at(1), stage=True), s.renewal_condition(at(1))]},
        {"$or": [{"kycStageAt": {"$exists": False}}, {"kycStageAt": {"$lt": at(1)}}]}]}


def test_a_late_created_event_does_not_take_back_pending():
    both = [stage_event("applicantPending", 5), stage_event("applicantCreated", 3)]
    assert deliver(SUBMITTED, both)["kycStatus"] == deliver(SUBMITTED, both[::-1])["kycStatus"] == r.PENDING


@st.composite
def histories(draw):
    """Decisions with distinct times, stage events at any times, delivered in any order."""
    times = draw(st.lists(st.integers(0, 3000), min_size=0, max_size=12, unique=True))
    n_decisions = draw(st.integers(0, len(times)))
    decisions = [decision(draw(st.sampled_from(DECISIONS)), n) for n in times[:n_decisions]]
    stages = [stage_event(draw(st.sampled_from(STAGE_KINDS)), n) for n in times[n_decisions:]]
    arrival = draw(st.permutations(decisions + stages))
    return decisions, stages, arrival


@given(histories())
def test_the_final_state_depends_only_on_the_decisions_and_their_order(history):
    decisions, stages, arrival = history
    final = deliver(SUBMITTED, arrival)
    assert final["isKyc"] is (final["kycStatus"] == r.APPROVED)  # never approved-but-pending
    if decisions:
        in_time_order = deliver(SUBMITTED, sorted(decisions))
        assert fixed(final) == fixed(in_time_order)
        assert final["kycStatus"] == max(decisions)[1]["kycStatus"]  # the latest decision wins
    else:
        assert final["kycStatus"] == (r.PENDING if any("kycStatus" in v for _, v, _ in stages) else r.SUBMITTED)


@given(histories(), st.randoms())
def test_stage_events_arriving_in_another_order_change_no_decided_field(history, rnd):
    _decisions, _stages, arrival = history
    other = list(arrival)
    rnd.shuffle(other)
    assert fixed(deliver(SUBMITTED, arrival)) == fixed(deliver(SUBMITTED, other))
