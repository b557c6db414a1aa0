"""Jobs of the `chain` queue for investors' on-chain identities; safe to run twice."""

from __future__ import annotations

from app.domain.onboarding import identities


def create_identities(user_id: str) -> dict[str, str]:
    """ONCHAINID identity and KYC claim for each verified wallet of the user."""
    return identities.create_identities(user_id)
