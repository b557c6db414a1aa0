"""An approved transfer request executed once on chain.

Steps, each an exactly-once chain job under a natural key of the request (app.domain.platform.chain_jobs):
1. the new wallet's ONCHAINID identity and KYC claim (the investor identity path, which creates
   only what is missing);
2. its registration in the offering's IdentityRegistry (`registerIdentity:transfer:<id>`), unless
   the registry holds it already: the token's `forcedTransfer` refuses a receiver that is not verified;
3. the token agent's `forcedTransfer(held, new, quantity)` (`forcedTransfer:transfer:<id>`), which
   works while the token is paused and moves frozen tokens too.
Running this again (a retried RQ job, a second approval's enqueue, `flask transfers requeue`) finds
each job recorded and done, and sends nothing twice. The request turns `completed` (or `failed` with
the contract's reason) under its lock, from `approved` only.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bson import ObjectId
from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.constants import ECDSA_KEY_TYPE, MANAGEMENT_KEY
from app.chain.identity import NotFactoryIdentity, check_registration, key_of
from app.chain.node import web3_client
from app.chain.tx import function_call
from app.data import chain_jobs, offerings, transfer_requests, user_details, users, whitelists
from app.data.mongo import get_db
from app.domain.onboarding import identities
from app.domain.platform import audit
from app.domain.platform import chain_jobs as chain_runner
from app.domain.platform.chain import current_platform
from app.domain.platform.chain_ops import stored_call
from app.domain.transfers import notices, rules
from app.domain.whitelisting.review import country_code

log = logging.getLogger(__name__)


class StepFailed(RuntimeError):
    """A chain step ended failed: the request fails with the contract's reason."""


def execute(config: dict, request_id: str) -> str | None:
    """Drive an approved request to completed or failed; returns its status (None if unknown). Safe to repeat."""
    db = get_db(config)
    request = transfer_requests.by_id(db, ObjectId(request_id))
    if request is None or request["status"] != rules.APPROVED:
        return request and request["status"]
    offering = offerings.by_id(db, request["offeringId"]) or {}
    if not offering.get("tokenAddress") or not offering.get("identityRegistry"):
        return _close(config, request, rules.FAILED, {"error": "The offering's token is not deployed."})
    try:
        if request.get("kind") == rules.LOST_WALLET:
            job = _recover(config, request, offering)
        else:
            _register_receiver(config, request, offering)
            job = _run(config, f"forcedTransfer:transfer:{request['_id']}", "forcedTransfer",
                       _token_call(config, offering, request), transferRequestId=str(request["_id"]))
    except StepFailed as failure:
        return _close(config, request, rules.FAILED, {"error": str(failure)})
    return _close(config, request, rules.COMPLETED, {"txHash": job.get("txHash"), "completedAt": datetime.now(UTC)})


def _recover(config: dict, request: dict, offering: dict) -> dict:
    """A lost wallet: the new wallet as a management key of the investor's ONCHAINID (Token.recoveryAddress checks
    it; skipped when it is one already), then recoveryAddress; the new wallet's identity on record afterwards."""
    w3 = web3_client.get(config)
    identity = Web3.to_checksum_address(request["investorOnchainID"])
    lost, new = (Web3.to_checksum_address(request[k]) for k in ("walletAddress", "newWalletAddress"))
    target = contract(w3, "Identity", identity)
    if not target.functions.keyHasPurpose(key_of(new), MANAGEMENT_KEY).call():  # the chain says what is done
        _run(config, f"addKey:transfer:{request['_id']}", "addKey",
             function_call(target, "addKey", key_of(new), MANAGEMENT_KEY, ECDSA_KEY_TYPE),
             transferRequestId=str(request["_id"]))
    token = contract(w3, "Token", Web3.to_checksum_address(offering["tokenAddress"]))
    registry = contract(w3, "IdentityRegistry", token.functions.identityRegistry().call())
    recovery_job = f"recoveryAddress:transfer:{request['_id']}"
    if token.functions.balanceOf(lost).call() == 0 and registry.functions.identity(new).call() == identity:
        job = chain_jobs.get(get_db(config), chain_jobs.latest_attempt(get_db(config), recovery_job)) or {}
        _follow_whitelist(config, request, lost, new)  # done already (a rerun, a retry resolved as done)
    else:
        _follow_whitelist(config, request, lost, new)
        try:
            job = _run(config, recovery_job, "recoveryAddress",
                       function_call(token, "recoveryAddress", lost, new, identity),
                       transferRequestId=str(request["_id"]))
        except StepFailed:
            _follow_whitelist(config, request, new, lost)  # nothing moved: the whitelisting stays with the lost wallet
            raise
    with locks.userdetails(request["userId"], config):  # the investor may be adding a wallet now
        user_details.set_wallet_identity(get_db(config), request["userId"], new, identity)
    return job


def _token_call(config: dict, offering: dict, request: dict):
    token = contract(web3_client.get(config), "Token", Web3.to_checksum_address(offering["tokenAddress"]))
    return function_call(token, "forcedTransfer", Web3.to_checksum_address(request["walletAddress"]),
                         Web3.to_checksum_address(request["newWalletAddress"]), int(request["tokenQuantity"]))


def _follow_whitelist(config: dict, request: dict, old: str, new: str) -> None:
    """The investor's whitelisting of the offering follows the wallet, before the recovery is sent: chain-sync then
    matches the new wallet's IdentityRegistered (approved) and no longer the lost wallet's IdentityRemoved."""
    db = get_db(config)
    found = whitelists.of_user(db, request["userId"], request["offeringId"])
    if found and found.get("address") == old:
        with locks.whitelist(found["_id"], config):
            whitelists.set_fields(db, found["_id"], {"address": new, "recoveredFrom": old})


def _register_receiver(config: dict, request: dict, offering: dict) -> None:
    """The new wallet's identity, then its place in the offering's registry (skipped when already there)."""
    target = Web3.to_checksum_address(request["newWalletAddress"])
    owner = request.get("toUserId") or request["userId"]  # the recipient of a transfer to another investor
    identity = identities.create_identities(str(owner)).get(target)
    if not identity:
        raise StepFailed(f"Wallet {target} has no on-chain identity: the investor's KYC is no longer approved.")
    registry = contract(web3_client.get(config), "IdentityRegistry",
                        Web3.to_checksum_address(offering["identityRegistry"]))
    if registry.functions.contains(target).call():
        return
    user = users.by_id(get_db(config), owner) or {}
    try:
        country = country_code(user.get("residenceCountry"))
    except RuntimeError as error:
        raise StepFailed(str(error)) from None
    try:  # factory-made identities only (app.chain.identity)
        check_registration(web3_client.get(config), current_platform(config), "registerIdentity", (target, identity))
    except NotFactoryIdentity as refused:
        raise StepFailed(str(refused)) from None
    call = function_call(registry, "registerIdentity", target, Web3.to_checksum_address(identity), country)
    _run(config, f"registerIdentity:transfer:{request['_id']}", "registerIdentity", call,
         transferRequestId=str(request["_id"]))


def _run(config: dict, job_id: str, op: str, call, **refs) -> dict:
    """Record the call under its natural key and drive it to its end (a recorded, done job sends nothing)."""
    chain_jobs.create(get_db(config), job_id, op, stored_call(call), **refs)
    job_id = chain_jobs.latest_attempt(get_db(config), job_id)  # staff may have sent a failed step again
    transfer_requests.note(get_db(config), ObjectId(refs["transferRequestId"]), **{f"{op}JobId": job_id})
    job = chain_runner.execute(config, job_id)
    if job["status"] != chain_jobs.DONE:
        raise StepFailed(job.get("error") or f"chain job {job_id} ended {job['status']}")
    return job


def _close(config: dict, request: dict, status: str, changes: dict) -> str:
    """approved -> completed | failed, once (a second run finds it closed and changes nothing)."""
    with locks.transfer_request(request["_id"], config):
        moved = transfer_requests.transition(get_db(config), request["_id"], rules.APPROVED,
                                             {"status": status, **changes}, close=True)
    if moved and status == rules.COMPLETED:
        subject = users.by_id(get_db(config), request["userId"])
        audit.record("transfer.completed", subject=subject, details={
            "transferRequestId": str(request["_id"]), "txHash": changes.get("txHash")})
    if moved:
        notices.tell_investor(config, request, status, changes.get("error", ""))
    log.info("transfer request %s %s", request["_id"], status)
    return status
