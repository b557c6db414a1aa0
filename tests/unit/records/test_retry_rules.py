"""Which failed chain jobs the record offers to send again (no server)."""

from __future__ import annotations

import pytest

from app.domain.transactions import rules


def _failed(op: str, **fields) -> dict:
    return {"_id": f"{op}:x", "op": op, "status": "failed", **fields}


@pytest.mark.parametrize("op", sorted(set(rules.RETRYABLE) - {"mint"}))
def test_a_failed_job_of_a_retryable_kind_is_offered_once(op):
    assert rules.retryable(_failed(op)) and rules.row_of(_failed(op))["retry_label"] == rules.RETRYABLE[op]
    assert not rules.retryable(_failed(op, retriedAs=f"{op}:x:retry")), "its retry is the one to follow"
    assert not rules.needs_attention(_failed(op, retriedAs=f"{op}:x:retry"))
    assert not rules.retryable(_failed(op, resolvedAt="2026-12-07"))
    assert not rules.retryable({**_failed(op), "status": "done"})


def test_a_mint_is_offered_only_while_it_holds_orders():
    assert rules.retryable(_failed("mint", recovered=True, heldOrders=["o1"]))
    assert not rules.retryable(_failed("mint", recovered=True, heldOrders=[]))
    assert not rules.retryable(_failed("mint", recovered=True, heldOrders=["o1"], retriedAs="mint:x:retry:1"))


def test_other_kinds_say_they_are_not_sent_again():
    row = rules.row_of(_failed("setAddressFrozen"))
    assert not row["retryable"] and row["not_retryable"] == rules.NOT_RETRYABLE
    assert rules.needs_attention(_failed("setAddressFrozen")), "still listed, for the resolution by hand"
    assert rules.row_of(_failed("forcedTransfer"))["not_retryable"] == ""
