"""Jobs of the `chain` queue for investors' on-chain identities; safe to run twice."""

from __future__ import annotations

from app.domain.onboarding import identities
from app.tasks.queues import CHAIN, job


@job(CHAIN, timeout=600)
def create_identities(user_id: str) -> dict[str, str]:
    """ONCHAINID identity and KYC claim for each verified wallet of the user."""
    return identities.create_identities(user_id)
