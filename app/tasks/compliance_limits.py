"""The `chain` queue's job of a compliance limit change (app.domain.compliance.limits): drive its chain jobs and,
once the chain confirmed the setting, update the offering's stored settings. Safe to run twice: each step is an
exactly-once chain job under the change's natural key, and a closed change is left as it is."""

from __future__ import annotations

import hashlib

from flask import current_app

from app.domain.compliance import limits
from app.tasks.queues import CHAIN, CHAIN_RETRY, job


@job(CHAIN, timeout=600, retry=CHAIN_RETRY)
def apply_change(change_id: str) -> str | None:
    """Apply one recorded change; returns its status (confirmed, failed)."""
    return limits.apply(current_app.config, change_id)


def enqueue(config: dict, change_id: str) -> None:
    """RQ ids allow only letters, digits, '-' and '_': a digest of the natural key."""
    rq_id = "compliance-limit-" + hashlib.sha256(change_id.encode()).hexdigest()[:32]
    apply_change.delay(change_id, job_id=rq_id, description=f"apply compliance limit change {change_id}",
                       config=config)
