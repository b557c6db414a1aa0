"""The pure rules of paying held and reorged payout lines again (app/domain/distributions/repay_rules.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.distributions import repay_rules as r

FROZEN_REASONS = ("Wallet frozen at the record date: held back.", "Wallet frozen at the payment date: held back.")


@pytest.mark.parametrize(("line", "expected"), [
    ({"status": "held", "heldReason": FROZEN_REASONS[0]}, r.FROZEN),
    ({"status": "held", "heldReason": FROZEN_REASONS[1]}, r.FROZEN),
    ({"status": "held", "heldReason": "The stablecoin refused the transfer to this wallet: blocked."}, r.REFUSED),
    ({"status": "held"}, r.REFUSED),
    ({"status": "reorged", "heldReason": FROZEN_REASONS[0]}, r.REORGED),
    ({"status": "paid"}, None), ({"status": "declared"}, None), ({"status": "scheduled"}, None), ({}, None),
])
def test_kind(line, expected):
    assert r.kind(line, FROZEN_REASONS) == expected


@given(kind=st.sampled_from([r.FROZEN, r.REFUSED, r.REORGED]), frozen=st.booleans())
def test_a_line_the_contract_paid_is_never_paid_again(kind, frozen):
    assert r.next_step(kind, frozen_now=frozen, paid_on_chain=True) == r.PAID_FROM_CHAIN


@given(kind=st.sampled_from([r.FROZEN, r.REFUSED, r.REORGED]))
def test_a_frozen_wallet_waits_and_an_unfrozen_one_is_paid(kind):
    assert r.next_step(kind, frozen_now=True, paid_on_chain=False) == r.STILL_FROZEN
    assert r.next_step(kind, frozen_now=False, paid_on_chain=False) == r.PAY


@given(frozen=st.booleans(), paid=st.booleans())
def test_a_line_not_held_or_reorged_is_left_alone(frozen, paid):
    assert r.next_step(None, frozen_now=frozen, paid_on_chain=paid) == r.NOT_REPAYABLE


def test_a_batch_carries_a_line_only_at_the_attempt_it_recorded():
    old = {"lineIds": ["d:a", "d:b"]}  # written before attempts existed: all 0
    new = {"lineIds": ["d:b"], "attempts": [1]}
    line_a, line_b = {"_id": "d:a"}, {"_id": "d:b", "payAttempt": 1}
    assert r.carries(old, line_a) and not r.carries(old, line_b)
    assert r.carries(new, line_b) and not r.carries(new, line_a)
    assert r.batch_attempts(new) == {"d:b": 1}


@given(attempts=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50))
def test_attempts_round_trip(attempts):
    ids = [f"d:{n}" for n in range(len(attempts))]
    batch = {"lineIds": ids, "attempts": attempts}
    for line_id, attempt in zip(ids, attempts, strict=True):
        assert r.carries(batch, {"_id": line_id, "payAttempt": attempt})
        assert not r.carries(batch, {"_id": line_id, "payAttempt": attempt + 1})


def test_an_unbatched_reopened_line_is_picked_once():
    """payout._unbatched: a reopened line (attempt 1) waits although an old batch holds it at attempt 0, and no
    longer once a batch carries attempt 1."""
    from app.domain.distributions.payout import _unbatched
    line = {"_id": "d:a", "status": "declared", "payAttempt": 1}
    first = {"lineIds": ["d:a"], "attempts": [0]}
    assert _unbatched([line], [first]) == [line]
    assert _unbatched([line], [first, {"lineIds": ["d:a"], "attempts": [1]}]) == []
    assert _unbatched([{**line, "status": "held"}], [first]) == []
