"""Jobs of the `chain` queue for investors' on-chain identities; safe to run twice."""

from __future__ import annotations

from bson import ObjectId
from flask import current_app

from app.domain.compliance import rekyc
from app.domain.onboarding import identities
from app.tasks.queues import CHAIN, job


@job(CHAIN, timeout=600)
def create_identities(user_id: str) -> dict[str, str]:
    """ONCHAINID identity and KYC claim for each verified wallet of the user; then (a renewal) the orders held
    while the KYC had lapsed go back to minting, now that the claim is on chain again."""
    done = identities.create_identities(user_id)
    rekyc.release_held_orders(current_app.config, ObjectId(user_id))
    return done
