"""Enforcement case rules without a server: reasons, time locks, who may decide what (amounts typed in tokens:
tests/unit/formatting/test_token_parser.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from app.domain.enforcement import rules

MAKER, CHECKER, OTHER = ObjectId(), ObjectId(), ObjectId()


def case(kind=rules.BURN, state=rules.PENDING, **fields) -> dict:
    return {"kind": kind, "state": state, "makerId": MAKER, "approvals": [], **fields}


def test_a_reason_is_required_and_folded():
    with pytest.raises(ValueError, match="Write the reason"):
        rules.clean_reason("  \n ")
    assert rules.clean_reason(" Court order\n  123 ") == "Court order 123"
    with pytest.raises(ValueError, match="under 2,000"):
        rules.clean_reason("x" * 2001)


@pytest.mark.parametrize(("text", "hours"), [("", 0), (" 0 ", 0), ("24", 24), ("720", 720)])
def test_time_locks_in_hours(text, hours):
    assert rules.parse_time_lock(text) == hours


@pytest.mark.parametrize("text", ["721", "-1", "1.5", "٣", "99999", "abc"])
def test_time_locks_out_of_range_are_refused(text):
    with pytest.raises(ValueError, match="hours"):
        rules.parse_time_lock(text)


def test_wallets_must_look_like_addresses():
    assert rules.parse_wallet(" 0x" + "a" * 40) == "0x" + "a" * 40
    for bad in ("", "0x123", "0x" + "g" * 40, "ab" * 21, None):
        with pytest.raises(ValueError, match="wallet address"):
            rules.parse_wallet(bad)


@pytest.mark.parametrize("kind", sorted(rules.TWO_PERSON))
def test_the_maker_never_approves_a_burn_transfer_or_recovery(kind):
    made = case(kind)
    assert rules.is_own_approval(made, MAKER)
    assert "someone else" in rules.approve_refusal(made, MAKER)
    assert rules.approve_refusal(made, CHECKER) is None


@pytest.mark.parametrize("kind", sorted(set(rules.KIND_LABELS) - rules.TWO_PERSON))
def test_pause_and_freezes_run_on_the_makers_own_confirmation(kind):
    made = case(kind)
    assert not rules.is_own_approval(made, MAKER)
    assert rules.approve_refusal(made, MAKER) is None


@pytest.mark.parametrize("state", sorted(set(rules.STATE_LABELS) - {rules.PENDING}))
def test_a_case_is_approved_once(state):
    assert "no longer waiting" in rules.approve_refusal(case(state=state), CHECKER)
    assert "no longer waiting" in rules.reject_refusal(case(state=state), CHECKER)


def test_the_maker_withdraws_and_others_reject_a_pending_case():
    pending = case()
    assert rules.cancel_refusal(pending, MAKER) is None
    assert "reject it instead" in rules.cancel_refusal(pending, CHECKER)
    assert rules.reject_refusal(pending, CHECKER) is None
    assert "cancel it instead" in rules.reject_refusal(pending, MAKER)


def test_during_the_time_lock_the_maker_or_the_checker_cancels():
    locked = case(state=rules.TIME_LOCKED, approvals=[{"userId": CHECKER}])
    assert rules.cancel_refusal(locked, MAKER) is None
    assert rules.cancel_refusal(locked, CHECKER) is None
    assert "Only the maker or the approver" in rules.cancel_refusal(locked, OTHER)


@pytest.mark.parametrize("state", [rules.APPROVED, rules.EXECUTING, rules.EXECUTED, rules.FAILED,
                                   rules.CANCELLED, rules.REJECTED])
def test_after_the_time_lock_nothing_is_cancelled(state):
    assert "can no longer be cancelled" in rules.cancel_refusal(case(state=state), MAKER)


def test_only_a_failed_case_is_sent_again():
    assert rules.retry_refusal(case(state=rules.FAILED)) is None
    for state in set(rules.STATE_LABELS) - {rules.FAILED}:
        assert rules.retry_refusal(case(state=state))


def test_an_approval_with_a_time_lock_waits_and_is_due_at_its_end():
    assert rules.after_approval(rules.BURN, 1, 0) == rules.APPROVED
    assert rules.after_approval(rules.BURN, 1, 2) == rules.TIME_LOCKED
    at = datetime(2030, 1, 1, tzinfo=UTC)
    locked = case(state=rules.TIME_LOCKED, executeAfter=at)
    assert not rules.is_due(locked, at - timedelta(seconds=1))
    assert rules.is_due(locked, at)
    assert not rules.is_due({**locked, "state": rules.CANCELLED}, at + timedelta(days=1))


def test_each_attempt_has_its_own_chain_keys():
    cid = ObjectId()
    assert rules.chain_key(cid, 1, "burn") == f"burn:agentAction:{cid}:1"
    assert rules.chain_key(cid, 1, "burn") != rules.chain_key(cid, 2, "burn")


def test_the_time_left_of_a_lock_reads_in_hours_and_minutes():
    end = datetime(2030, 1, 1, 12, tzinfo=UTC)
    locked = case(state=rules.TIME_LOCKED, executeAfter=end)
    assert rules.time_left(locked, end - timedelta(hours=1, minutes=5, seconds=30)) == "1 h 5 min left"
    assert rules.time_left(locked, end - timedelta(minutes=59, seconds=59)) == "59 min left"
    assert rules.time_left(locked, end - timedelta(seconds=20)) == "less than a minute left"
    assert rules.time_left(locked, end + timedelta(hours=3)) == "less than a minute left"
    assert rules.time_left({**locked, "state": rules.APPROVED}, end) == ""
