"""Sending a failed chain job again from the transactions record, at most once (rules.RETRYABLE kinds).

Why it is safe:
- A failed job took no effect (its one mined transaction reverted, or the node refused it before anything was
  sent: app.domain.platform.chain_jobs) and never runs again.
- Before anything is recorded, the chain (or the document chain-sync keeps from it) is asked whether the
  operation happened meanwhile by another route: the wallet already in the identity registry, the order's
  tokens already frozen. Then nothing is sent: the job is closed as resolved, saying so.
- Under the failed job's lock its `retriedAs` is written with the new job, and a retried job is refused: a
  second click (or a second staff member) finds it. The new job's id is natural too (`<failed id>:retry`, or
  the order's next freeze version, the offering's next deployment attempt), so even two writers would record
  one job, which the runner sends once.
A mint is the mint recovery's (app.domain.orders.mint_recovery.retry_job): it re-mints only held orders.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from eth_abi import decode
from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.identity import get_identity, has_valid_claim
from app.chain.node import web3_client
from app.data import chain_jobs, offerings, reporting, transfer_requests, whitelists
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.offerings import deployment
from app.domain.onboarding import identities
from app.domain.orders import review as orders_review
from app.domain.platform import audit
from app.domain.platform.chain import current_platform
from app.domain.transactions import rules
from app.domain.transfers import review as transfer_review
from app.domain.transfers import rules as transfer_rules
from app.tasks import chain as chain_tasks

REGISTRATION_TYPES = ["address[]", "address[]", "uint16[]"]  # IdentityRegistry.batchRegisterIdentity


class AlreadyOnChain(Exception):
    """The operation happened meanwhile by another route: sending it again would do it twice."""


def retry(config: dict, actor: dict, job_id: str) -> str:
    """Send the failed job `job_id` again once; returns what staff are told. errors.Refused when it may not be."""
    db = get_db(config)
    with locks.mint_job(job_id, config):  # the failed job's lock (the resolution by hand takes it too)
        job = chain_jobs.get(db, job_id)
        _check(job)
        try:
            new_id = _SEND[job["op"]](config, db, actor, job)
        except AlreadyOnChain as done:
            _close_as_done(db, actor, job, str(done))
            _follow_up(config, db, job)
            return f"Nothing was sent: {done} The job is closed as resolved."
        chain_jobs.note(db, job_id, retriedAs=new_id, retriedAt=datetime.now(UTC), retriedBy=actor["_id"])
    chain_tasks.enqueue(config, new_id)
    _follow_up(config, db, job)
    audit.record("chain_job.retried", actor=actor, details={"jobId": job_id, "retryJobId": new_id, "op": job["op"]})
    return f"Sent again as job {new_id}."


def _check(job: dict | None) -> None:
    if job is None:
        raise errors.NotFound("no such chain job")
    if job.get("agentActionId"):  # an enforcement case's step: its case page sends a new attempt
        raise errors.Refused(rules.CASE_RETRY)
    if job.get("op") not in _SEND:
        raise errors.Refused(rules.NOT_RETRYABLE)
    if job.get("status") != chain_jobs.FAILED:
        raise errors.Refused("Only a failed job can be sent again.")
    if job.get("resolvedAt"):
        raise errors.Refused("This job was resolved by hand; it is not sent again.")
    if job.get("retriedAs"):
        raise errors.Refused(f"This job was already sent again as {job['retriedAs']}: follow that one.")


def _close_as_done(db, actor: dict, job: dict, why: str) -> None:
    reason = f"Already on chain, nothing sent again: {why}"
    chain_jobs.note(db, job["_id"], resolvedAt=datetime.now(UTC), resolvedReason=reason, resolvedBy=actor["_id"],
                    resolvedByEmail=actor.get("email"))
    audit.record("chain_job.resolved", actor=actor, details={"jobId": job["_id"], "reason": reason,
                                                             "op": job.get("op"), "automatic": True})


def _same_call_again(db, job: dict) -> str:
    """The failed job's own call, recorded once under `<failed id>:retry` (a natural key: recorded once)."""
    new_id = f"{job['_id']}:retry"
    refs = {k: v for k, v in job.items() if k in ("target", "whitelistId", "userId", "offeringId", "identity")}
    chain_jobs.create(db, new_id, job["op"], job["call"], retryOf=job["_id"], **refs)
    return new_id


def _identity(config: dict, db, actor: dict, job: dict) -> str:
    """An investor's ONCHAINID: sent again unless the platform's IdFactory has an identity for the wallet."""
    wallet = job["_id"].split(":")[1]  # createIdentity:<wallet>[:retry...]
    if get_identity(web3_client.get(config), current_platform(config), wallet):
        raise AlreadyOnChain(f"wallet {wallet} has its identity on chain already.")
    return _same_call_again(db, job)


def _claim(config: dict, db, actor: dict, job: dict) -> str:
    """The platform's KYC claim on an identity: sent again unless the identity holds a valid one."""
    if has_valid_claim(web3_client.get(config), current_platform(config), job["identity"]):
        raise AlreadyOnChain("the identity holds the platform's valid KYC claim already.")
    return _same_call_again(db, job)


def _revocation(config: dict, db, actor: dict, job: dict) -> str:
    """A KYC claim's revocation: sent again unless the ClaimIssuer already holds that signature as revoked."""
    [signature] = decode(["bytes"], bytes.fromhex(job["call"]["data"][2:])[4:])  # revokeClaimBySignature(bytes)
    issuer = contract(web3_client.get(config), "ClaimIssuer", Web3.to_checksum_address(job["call"]["to"]))
    if issuer.functions.isClaimRevoked(signature).call():
        raise AlreadyOnChain("the ClaimIssuer holds this claim as revoked already.")
    return _same_call_again(db, job)


def _transfer_step(config: dict, db, actor: dict, job: dict) -> str:
    """A transfer request's step (its receiver's registration, its forced transfer): the request, failed on this
    very job, is reopened (approved again: the decision stands) and executed again, following this job's retry;
    a registration is not sent again when the registry holds the receiving wallet already."""
    _reopen_request(config, db, job)
    if job["op"] == "registerIdentity" and _registered(config, job):
        raise AlreadyOnChain("the receiving wallet is in the identity registry already; the transfer goes on.")
    return _same_call_again(db, job)


def _reopen_request(config: dict, db, job: dict) -> None:
    request_id = ObjectId(str(job.get("transferRequestId")))
    with locks.transfer_request(request_id, config):
        request = transfer_requests.by_id(db, request_id)
        if request is None or request["status"] != transfer_rules.FAILED \
                or request.get(f"{job['op']}JobId") != job["_id"]:
            raise errors.Refused("This job's transfer request did not fail on it (or was sent again since): "
                                 "follow the request's page, or resolve this job by hand.")
        if not transfer_requests.reopen(db, request):  # before the retry is recorded: no job without its request
            raise errors.Refused("The investor has a new open request for this holding: decide that one, and "
                                 "resolve this job by hand.")


def _recovery_step(config: dict, db, actor: dict, job: dict) -> str:
    """A lost-wallet recovery's step (the new wallet's management key, the token's recoveryAddress): only a transfer
    request's; nothing is sent when the chain shows it done (the key held; the lost wallet empty and the new one
    registered with the identity), else the request is reopened and its step sent again (_transfer_step)."""
    if not job.get("transferRequestId"):
        raise errors.Refused(rules.NOT_RETRYABLE)
    data = bytes.fromhex(job["call"]["data"][2:])[4:]
    w3 = web3_client.get(config)
    if job["op"] == "addKey":
        key, purpose, _type = decode(["bytes32", "uint256", "uint256"], data)
        identity = contract(w3, "Identity", Web3.to_checksum_address(job["call"]["to"]))
        done = identity.functions.keyHasPurpose(key, purpose).call()
    else:
        lost, new, identity = (Web3.to_checksum_address(a) for a in decode(["address", "address", "address"], data))
        token = contract(w3, "Token", Web3.to_checksum_address(job["call"]["to"]))
        registry = contract(w3, "IdentityRegistry", token.functions.identityRegistry().call())
        done = token.functions.balanceOf(lost).call() == 0 and registry.functions.identity(new).call() == identity
    _reopen_request(config, db, job)
    if done:  # the execution checks the chain too and goes on past this step
        raise AlreadyOnChain("the chain shows this recovery step done already; the recovery goes on.")
    return _same_call_again(db, job)


def _registered(config: dict, job: dict) -> bool:
    wallet, _identity, _country = decode(["address", "address", "uint16"], bytes.fromhex(job["call"]["data"][2:])[4:])
    registry = contract(web3_client.get(config), "IdentityRegistry", Web3.to_checksum_address(job["call"]["to"]))
    return registry.functions.contains(Web3.to_checksum_address(wallet)).call()


def _follow_up(config: dict, db, job: dict) -> None:
    """After an identity step: the investor's identity job runs again (it follows the retry, app.data.chain_jobs
    .latest_attempt) to finish what came after the failure: the claim, the wallet's identity on record."""
    if job.get("transferRequestId"):  # the reopened request runs again (app.domain.transfers.execution)
        transfer_review.enqueue_execution(config, ObjectId(str(job["transferRequestId"])))
        return
    if job["op"] not in ("createIdentity", "addClaim"):
        return
    user_ids = {str(job["userId"])} if job.get("userId") else set()
    if job.get("identity"):
        factory = contract(web3_client.get(config), "IdFactory", current_platform(config)["idFactory"])
        wallets = factory.functions.getWallets(Web3.to_checksum_address(job["identity"])).call()
        user_ids |= {str(user_id) for user_id in reporting.wallet_owners(db, list(wallets)).values()}
    for user_id in sorted(user_ids):
        identities.enqueue_identities(ObjectId(user_id))


def _registration(config: dict, db, actor: dict, job: dict) -> str:
    """A whitelist approval's registration: sent again unless every wallet is in the registry already."""
    registry = Web3.to_checksum_address(job["call"]["to"])
    wallets, _identities, _countries = decode(REGISTRATION_TYPES, bytes.fromhex(job["call"]["data"][2:])[4:])
    bound = contract(web3_client.get(config), "IdentityRegistry", registry).functions
    missing = [wallet for wallet in wallets if not bound.contains(Web3.to_checksum_address(wallet)).call()]
    if not missing:
        raise AlreadyOnChain("every wallet of this registration is in the identity registry already.")
    new_id = _same_call_again(db, job)
    _, _, whitelist_id = job["_id"].partition(":")  # batchRegisterIdentity:<whitelist id>[:retry...]
    whitelist_id = whitelist_id.split(":")[0]
    if ObjectId.is_valid(whitelist_id):
        with locks.whitelist(ObjectId(whitelist_id), config):  # chain-sync may be marking it registered now
            whitelists.set_fields(db, ObjectId(whitelist_id), {"registrationJobId": new_id})
    return new_id


def _freeze(config: dict, db, actor: dict, job: dict) -> str:
    """An order's freeze or unfreeze: sent again as the order's next freeze (the order page's own path), only
    while this job is still the order's latest freeze and the chain-synced order is not in the wanted state."""
    frozen = job["op"] == "freezePartialTokens"
    order = orders_review.order_for_admin(actor, str(job.get("orderId")))
    if order.get("freezeJobId") != job["_id"]:
        raise errors.Refused(f"This order's tokens were frozen or unfrozen again since (job "
                             f"{order.get('freezeJobId')}): follow that one, or resolve this one by hand.")
    if bool(order.get("isFreezed")) == frozen:
        raise AlreadyOnChain(f"the order's tokens are {'frozen' if frozen else 'not frozen'} on chain already.")
    return orders_review.set_frozen(config, actor, str(order["_id"]), frozen)  # re-checked under the order's lock


def _deployment(config: dict, db, actor: dict, job: dict) -> str:
    """A token deployment: a new attempt of the offering's own deployment (app.domain.offerings.deployment.start,
    conditional on the offering's current job), only while no token exists under the offering's salt."""
    if not has_permission(actor, "offerings"):
        raise errors.Refused("Deploying a token needs the offerings permission: ask an offerings reviewer.")
    offering_id = str(job.get("offeringId") or "")
    doc = offerings.by_id(db, ObjectId(offering_id)) if ObjectId.is_valid(offering_id) else None
    if doc is None or doc.get("deployJobId") != job["_id"]:
        raise errors.Refused(f"This offering's deployment was started again since (job "
                             f"{(doc or {}).get('deployJobId')}): follow that one, or resolve this one by hand.")
    factory = contract(web3_client.get(config), "TREXFactory", Web3.to_checksum_address(job["call"]["to"]))
    existing = factory.functions.getToken(offering_id).call()  # the suite's salt is the offering id
    if int(existing, 16):
        raise errors.Refused(f"A token ({existing}) is already deployed under this offering's salt, so the factory "
                             "would refuse it again: check that token, then resolve this job by hand.")
    return deployment.start(actor, offering_id)


_SEND = {"batchRegisterIdentity": _registration, "freezePartialTokens": _freeze, "unfreezePartialTokens": _freeze,
         "deployTREXSuite": _deployment, "createIdentity": _identity, "addClaim": _claim,
         "revokeClaimBySignature": _revocation, "registerIdentity": _transfer_step, "forcedTransfer": _transfer_step,
         "addKey": _recovery_step, "recoveryAddress": _recovery_step}
