"""Jobs of the `esign` queue (and the registration an approval queues on `chain`): ids in, safe to run twice."""

from __future__ import annotations

from rq import Retry

from app.domain.whitelisting import review as whitelisting_review
from app.domain.whitelisting import webhooks as whitelisting_webhooks
from app.tasks.queues import CHAIN, ESIGN, job


@job(ESIGN, timeout=60)
def apply_esign_event(delivery_id: str) -> str:
    """Apply the stored Connect delivery `delivery_id` to its whitelist; returns the outcome recorded for it."""
    return whitelisting_webhooks.apply_event(delivery_id)


@job(CHAIN, timeout=600, retry=Retry(max=5, interval=[5, 30, 60, 300, 900]))
def register_investor(whitelist_id: str) -> str | None:
    """Register an approved investor's identity in the offering's registry; returns the chain job's id."""
    return whitelisting_review.register_investor(whitelist_id)
