"""Investors' ONCHAINID identities: one per verified wallet of a KYC-approved user, with the platform's KYC claim.

Why a job and why idempotent: web requests never wait for a receipt, and a worker may die
between the identity's creation and the claim. Each run re-reads the chain first
(IdFactory.getIdentity before creating, ClaimIssuer.isClaimValid before adding), and each
transaction is an exactly-once chain job (app.domain.platform.chain_jobs: natural key, hot-wallet
nonce manager, recorded before broadcast), so running it again finishes what is missing
and sends nothing twice.
"""

from __future__ import annotations

import logging

from bson import ObjectId
from eth_account import Account
from eth_utils import keccak
from flask import current_app
from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.constants import ECDSA_CLAIM_SCHEME, KYC_CLAIM_TOPIC
from app.chain.identity import get_identity, has_valid_claim, identity_salt, key_of, sign_claim
from app.chain.node import web3_client
from app.chain.tx import function_call
from app.data import chain_jobs, user_details, users
from app.data.mongo import get_db
from app.domain.platform import chain_jobs as chain_runner
from app.domain.platform.chain import current_platform
from app.domain.platform.chain_ops import stored_call
from app.tasks import identity as identity_jobs

log = logging.getLogger(__name__)


def enqueue_identities(user_id: ObjectId) -> None:
    """Queue the identity job for the user (after KYC approval, and when a wallet is proven after it)."""
    identity_jobs.create_identities.delay(str(user_id), job_id=f"identities-{user_id}",
                                          description=f"ONCHAINID identities of user {user_id}")


def create_identities(user_id: str) -> dict[str, str]:
    """Identity and KYC claim for each verified wallet; {wallet: identity}. Nothing for a user not approved."""
    config, db = current_app.config, get_db()
    user = users.by_id(db, ObjectId(user_id))
    if user is None or not user.get("isKyc"):
        return {}
    _record_residence(db, user)
    platform = current_platform(config)
    if platform is None:
        raise RuntimeError("the platform contracts are not deployed on this chain; run `flask chain bootstrap`")
    w3 = web3_client.get(config)
    done = {}
    for wallet in user_details.verified_wallets(db, user["_id"]):
        identity = get_identity(w3, platform, wallet) or _create_identity(config, w3, platform, wallet, user_id)
        if not has_valid_claim(w3, platform, identity):
            _add_kyc_claim(config, w3, platform, identity, generation=str(user.get("kycEventAt") or ""))
        with locks.userdetails(user["_id"], config):  # the investor may be adding a wallet now
            user_details.set_wallet_identity(db, user["_id"], wallet, identity)
        done[wallet] = identity
        log.info("user %s wallet %s has identity %s with the KYC claim", user_id, wallet, identity)
    if done and not user.get("onchainID"):
        with locks.user(user["_id"], config):  # KYC events write this user now too
            users.set_onchain_id(db, user["_id"], next(iter(done.values())))
    return done


def residence_country(details: dict | None) -> str | None:
    """The ISO alpha-2 country of the verified address (the person's, or the institution's)."""
    details = details or {}
    address = details.get("address") or (details.get("institutions") or {}).get("address") or {}
    country = str(address.get("country") or "").strip().upper()
    return country if len(country) == 2 and country.isalpha() else None


def _record_residence(db, user: dict) -> None:
    """users.residenceCountry: what the marketplace and whitelisting check against authorizedCountries."""
    country = residence_country(user_details.get(db, user["_id"]))
    if country and country != user.get("residenceCountry"):
        users.set_fields_locked(db, user["_id"], {"residenceCountry": country})


def _run(config: dict, job_id: str, op: str, call, **refs) -> None:
    """Record the call as an exactly-once chain job (hot wallet, shared nonces) and drive it to its end."""
    chain_jobs.create(get_db(config), job_id, op, stored_call(call), **refs)
    job_id = chain_jobs.latest_attempt(get_db(config), job_id)  # staff may have sent a failed one again
    job = chain_runner.execute(config, job_id)
    if job["status"] != chain_jobs.DONE:
        raise RuntimeError(f"chain job {job_id} ended {job['status']}: {job.get('error')}")


def _create_identity(config: dict, w3, platform: dict, wallet: str, user_id: str) -> str:
    """IdFactory.createIdentityWithManagementKeys, salt = wallet, the hot wallet as management key."""
    deployer = Account.from_key(config["DEPLOYER_PRIVATE_KEY"])
    factory = contract(w3, "IdFactory", platform["idFactory"])
    call = function_call(factory, "createIdentityWithManagementKeys", Web3.to_checksum_address(wallet),
                         identity_salt(wallet), [key_of(deployer.address)])
    _run(config, f"createIdentity:{wallet}", "createIdentity", call, userId=user_id)
    return get_identity(w3, platform, wallet)


def _add_kyc_claim(config: dict, w3, platform: dict, identity: str, generation: str) -> None:
    """Identity.addClaim with the platform signer's signature; one job per identity and KYC decision."""
    signer = Account.from_key(config["CLAIM_SIGNER_PRIVATE_KEY"])
    # the data names the approval (a hash, no personal data), so a renewal's signature differs from a revoked one
    data = keccak(text=f"kyc-approval:{generation}")
    signature = sign_claim(signer, identity, KYC_CLAIM_TOPIC, data)
    call = function_call(contract(w3, "Identity", identity), "addClaim", KYC_CLAIM_TOPIC, ECDSA_CLAIM_SCHEME,
                         platform["claimIssuer"], signature, data, "")
    _run(config, f"addClaim:{identity}:{KYC_CLAIM_TOPIC}:{generation}", "addClaim", call, identity=identity)
