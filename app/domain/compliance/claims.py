"""The platform's KYC claim on chain follows the KYC: revoked through the ClaimIssuer when the KYC ends
(expired, rejected or revoked later), so every token's IdentityRegistry.isVerified turns false for the
investor's wallets; a new approval adds a new claim (app.domain.onboarding.identities, whose claim data
names the approval, so its signature differs from the revoked one).

Why revokeClaimBySignature and not Identity.removeClaim: a revoked signature is refused by
ClaimIssuer.isClaimValid wherever a copy of the claim sits, and the revocation is recorded on the issuer.
Exactly once: one chain job per revoked signature (natural key), each run re-reading the chain first.
"""

from __future__ import annotations

import logging

from bson import ObjectId
from eth_utils import keccak
from flask import current_app

from app.chain.artifacts import contract
from app.chain.constants import KYC_CLAIM_TOPIC, ZERO_ADDRESS
from app.chain.identity import claim_id, get_identity
from app.chain.node import web3_client
from app.chain.tx import function_call
from app.data import chain_jobs, user_details
from app.data.mongo import get_db
from app.domain.platform import chain_jobs as chain_runner
from app.domain.platform.chain import current_platform
from app.domain.platform.chain_ops import stored_call

log = logging.getLogger(__name__)


def revoke_claims(user_id: str) -> list[str]:
    """Revoke the platform's KYC claim on each identity of the user's verified wallets; the identities revoked."""
    config, db = current_app.config, get_db()
    platform = current_platform(config)
    if platform is None:
        raise RuntimeError("the platform contracts are not deployed on this chain; run `flask chain bootstrap`")
    w3 = web3_client.get(config)
    issuer = contract(w3, "ClaimIssuer", platform["claimIssuer"])
    revoked = []
    for wallet in user_details.verified_wallets(db, ObjectId(user_id)):
        identity = get_identity(w3, platform, wallet)
        if identity is None:
            continue
        stored = contract(w3, "Identity", identity).functions.getClaim(
            claim_id(platform["claimIssuer"], KYC_CLAIM_TOPIC)).call()
        signature = stored[3]
        if stored[2] == ZERO_ADDRESS or issuer.functions.isClaimRevoked(signature).call():
            continue
        job_id = f"revokeClaim:{identity}:{keccak(signature).hex()[:24]}"
        chain_jobs.create(db, job_id, "revokeClaimBySignature",
                          stored_call(function_call(issuer, "revokeClaimBySignature", signature)),
                          identity=identity, userId=user_id)
        job = chain_runner.execute(config, job_id)
        if job["status"] != chain_jobs.DONE:
            raise RuntimeError(f"chain job {job_id} ended {job['status']}: {job.get('error')}")
        log.info("KYC claim of user %s on identity %s revoked", user_id, identity)
        revoked.append(identity)
    return revoked
