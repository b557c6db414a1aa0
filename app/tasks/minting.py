"""Jobs of the `chain` queue that follow a failed mint: split its batch or hold its order.

The rules are app.domain.orders.mint_recovery's.

Enqueued by app.tasks.chain when a mint job fails; safe to run twice (the split's
jobs and claims are fixed by the failed job, and a recovered job is noted as such).
"""

from __future__ import annotations

from flask import current_app

from app.domain.orders import mint_recovery
from app.tasks.queues import CHAIN, CHAIN_RETRY, job


@job(CHAIN, timeout=600, retry=CHAIN_RETRY)
def recover_failed_mint(job_id: str) -> list[str]:
    """Split the failed mint job `job_id` into two enqueued jobs, or hold its one order; returns the new jobs."""
    return mint_recovery.recover(current_app.config, job_id)
