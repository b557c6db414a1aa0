"""Which failed chain jobs the record offers to send again (no server)."""

from __future__ import annotations

import pytest

from app.domain.transactions import rules


def _failed(op: str, **fields) -> dict:
    return {"_id": f"{op}:x", "op": op, "status": "failed", **fields}


@pytest.mark.parametrize("op", sorted(set(rules.RETRYABLE) - {"mint"}))
def test_a_failed_job_of_a_retryable_kind_is_offered_once(op):
    refs = {"transferRequestId": "r1"} if op in rules.TRANSFER_REQUEST_ONLY else {}  # a recovery: a request's step
    assert rules.retryable(_failed(op, **refs)) and rules.row_of(_failed(op, **refs))["retry_label"] == \
        rules.RETRYABLE[op]
    assert not rules.retryable(_failed(op, retriedAs=f"{op}:x:retry", **refs)), "its retry is the one to follow"
    assert not rules.needs_attention(_failed(op, retriedAs=f"{op}:x:retry", **refs))
    assert not rules.retryable(_failed(op, resolvedAt="2026-12-07", **refs))
    assert not rules.retryable({**_failed(op, **refs), "status": "done"})


@pytest.mark.parametrize("op", sorted(rules.TRANSFER_REQUEST_ONLY))
def test_a_recovery_step_is_offered_only_as_a_transfer_requests_step(op):
    row = rules.row_of(_failed(op, agentActionId="a1"))  # an enforcement case's own recovery: its owner's retry
    assert not row["retryable"] and row["not_retryable"] == rules.NOT_RETRYABLE


def test_a_mint_is_offered_only_while_it_holds_orders():
    assert rules.retryable(_failed("mint", recovered=True, heldOrders=["o1"]))
    assert not rules.retryable(_failed("mint", recovered=True, heldOrders=[]))
    assert not rules.retryable(_failed("mint", recovered=True, heldOrders=["o1"], retriedAs="mint:x:retry:1"))


def test_other_kinds_say_they_are_not_sent_again():
    row = rules.row_of(_failed("setAddressFrozen"))
    assert not row["retryable"] and row["not_retryable"] == rules.NOT_RETRYABLE
    assert rules.needs_attention(_failed("setAddressFrozen")), "still listed, for the resolution by hand"
    assert rules.row_of(_failed("forcedTransfer"))["not_retryable"] == ""
