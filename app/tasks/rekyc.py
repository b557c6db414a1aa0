"""Re-KYC jobs: the daily sweep of KYC validity (`default`) and the on-chain claim revocation (`chain`).

The sweep repeats like the order-expiry sweep (app.tasks.order_expiry): each run schedules the next slot
under an id naming it, so workers starting together schedule one job per slot.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from app.domain.compliance import claims, rekyc
from app.tasks.queues import CHAIN, DEFAULT, job, schedule_next_slot

EVERY_S = 86400


@job(DEFAULT, timeout=1800, result_ttl=3600)
def sweep_kyc_validity() -> dict:
    """Warn and expire KYC approvals as of now, then schedule the next run."""
    try:
        done = rekyc.sweep(current_app.config, datetime.now(UTC))
    finally:
        ensure_scheduled(current_app.config)
    return {name: [str(i) for i in ids] for name, ids in done.items()}


def ensure_scheduled(config: dict) -> str:
    return schedule_next_slot(sweep_kyc_validity, "kyc-validity", EVERY_S, "warn and expire KYC approvals", config)


@job(CHAIN, timeout=600)
def revoke_kyc_claims(user_id: str) -> list[str]:
    """Revoke the platform's KYC claim on the user's identities (exactly once per claim)."""
    return claims.revoke_claims(user_id)
