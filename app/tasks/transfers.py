"""Jobs of the `chain` queue for transfer requests; safe to run twice (app.domain.transfers.execution)."""

from __future__ import annotations

from flask import current_app

from app.domain.transfers import execution
from app.tasks.queues import CHAIN, CHAIN_RETRY, job


@job(CHAIN, timeout=600, retry=CHAIN_RETRY)
def execute_transfer(request_id: str) -> str | None:
    """Execute an approved transfer request on chain, once; returns its status."""
    return execution.execute(current_app.config, request_id)
