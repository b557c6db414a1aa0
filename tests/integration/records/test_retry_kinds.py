"""Failed chain jobs other than mints, retried from the transactions record on the real stack (anvil, RQ, FerretDB).

Each job is made to fail for real (the hot wallet loses its agent role on the registry or the token), the cause
is fixed, and staff retry twice: exactly one operation reaches the chain. An operation that happened meanwhile
by another route is not sent again; kinds that are never sent again from here say why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bson import ObjectId
from eth_account import Account
from web3 import Web3

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.constants import CLAIM_KEY, ECDSA_KEY_TYPE, KYC_CLAIM_TOPIC, MANAGEMENT_KEY
from app.chain.identity import add_claim, claim_id, create_identity, get_identity, has_valid_claim, key_of
from app.chain.tx import function_call, send_call
from app.data import chain_jobs, transfer_requests, user_details
from app.domain.compliance import claims
from app.domain.onboarding import identities
from app.domain.orders import review as orders_review
from app.domain.transfers import execution
from app.domain.whitelisting.review import register_investor
from tests.fixtures.accounts import make_user, post, signed_in_client
from tests.fixtures.chain import FRANCE, eligible_investor, live_offering
from tests.fixtures.processes import run_jobs

AGENT_REFUSAL = "does not have the Agent role"


def _agent(wallet, artifact: str, address: str, role: bool) -> None:
    """Give or take the hot wallet's agent role on a token or identity registry (it is their owner)."""
    bound = contract(wallet.w3, artifact, address)
    send_call(wallet.w3, wallet.account, function_call(bound, "addAgent" if role else "removeAgent",
                                                       wallet.account.address))


@pytest.fixture
def registry_offering(db, suite):
    offering_id = ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "isActive": True, "tokenAddress": suite["token"],
                             "identityRegistry": suite["identityRegistry"], "overview": {"title": "Retry Rows"}})
    return db.offerings.find_one({"_id": offering_id})


def _approved_request(app, db, platform, wallet, offering) -> tuple[ObjectId, str, str]:
    """An approved whitelist request whose wallet has its identity and KYC claim but no registration yet."""
    user = eligible_investor(country="FR")
    address = user["account"].address
    identity = create_identity(wallet.w3, wallet.account, platform, address)
    add_claim(wallet.w3, wallet.account, platform, identity, Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"]))
    user_details.set_wallet_identity(db, user["_id"], address, identity)
    whitelist_id = ObjectId()
    db.whitelists.insert_one({"_id": whitelist_id, "userId": user["_id"], "offeringId": offering["_id"],
                              "address": address, "status": "signed", "taStatus": "approved",
                              "adminStatus": "approved", "is_signed": True, "requestedAt": datetime.now(UTC),
                              "userEmail": user["email"], "offeringTitle": "Retry Rows"})
    return whitelist_id, address, identity


def _registrations(wallet, registry: str, address: str) -> int:
    logs = contract(wallet.w3, "IdentityRegistry", registry).events.IdentityRegistered().get_logs(from_block=0)
    return sum(1 for log in logs if log["args"]["investorAddress"] == address)


def _failed_registration(app, db, platform, wallet, suite, offering) -> tuple[str, ObjectId, str, str]:
    whitelist_id, address, identity = _approved_request(app, db, platform, wallet, offering)
    _agent(wallet, "IdentityRegistry", suite["identityRegistry"], role=False)
    job_id = register_investor(str(whitelist_id))
    run_jobs("chain")
    job = chain_jobs.get(db, job_id)
    assert job["status"] == "failed" and AGENT_REFUSAL in job["error"]
    _agent(wallet, "IdentityRegistry", suite["identityRegistry"], role=True)  # the cause fixed
    return job_id, whitelist_id, address, identity


def test_a_failed_registration_is_sent_again_once(app, db, platform, wallet, suite, registry_offering):
    job_id, whitelist_id, address, _identity = _failed_registration(app, db, platform, wallet, suite,
                                                                     registry_offering)
    staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    page = staff.get("/admin/transactions/failed").text
    assert job_id in page and "Register the wallet again" in page and AGENT_REFUSAL in page

    first = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    assert f"Sent again as job {job_id}:retry." in first
    assert "already sent again" in second
    run_jobs("chain")
    registry = contract(wallet.w3, "IdentityRegistry", suite["identityRegistry"])
    assert registry.functions.contains(address).call()
    assert _registrations(wallet, suite["identityRegistry"], address) == 1, "registered once"
    assert chain_jobs.get(db, f"{job_id}:retry")["status"] == "done"
    assert db.chainJobs.count_documents({"retryOf": job_id}) == 1
    assert db.whitelists.find_one({"_id": whitelist_id})["registrationJobId"] == f"{job_id}:retry"
    [entry] = list(db.auditLogs.find({"event": "chain_job.retried"}))
    assert entry["details"]["jobId"] == job_id and entry["actorEmail"]
    assert 'data-testid="failed-job"' not in staff.get("/admin/transactions/failed").text


def test_a_registration_done_meanwhile_is_not_sent_again(app, db, platform, wallet, suite, registry_offering):
    job_id, _whitelist_id, address, identity = _failed_registration(app, db, platform, wallet, suite,
                                                                     registry_offering)
    ops.register_identity(wallet.w3, wallet.account, suite["identityRegistry"], address, identity, FRANCE)

    staff = signed_in_client(app, make_user("admin"))
    answer = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    assert "Nothing was sent" in answer and "in the identity registry already" in answer
    assert db.chainJobs.count_documents({"retryOf": job_id}) == 0
    assert chain_jobs.get(db, job_id)["resolvedReason"].startswith("Already on chain")
    assert _registrations(wallet, suite["identityRegistry"], address) == 1
    assert db.auditLogs.count_documents({"event": "chain_job.resolved", "details.automatic": True}) == 1
    assert 'data-testid="failed-job"' not in staff.get("/admin/transactions/failed").text


def test_a_failed_freeze_is_sent_again_once(app, db, wallet, suite, verified):
    holder = verified()
    ops.mint(wallet.w3, wallet.account, suite["token"], holder, 7)
    offering_id = ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "tokenAddress": suite["token"],
                             "identityRegistry": suite["identityRegistry"]})
    order_id = ObjectId()
    db.orders.insert_one({"_id": order_id, "offeringId": offering_id, "walletAddress": holder, "quantity": "7",
                          "status": "settled", "isSettled": True, "isMinted": True, "userId": ObjectId()})
    admin = make_user("admin")
    _agent(wallet, "Token", suite["token"], role=False)
    job_id = orders_review.set_frozen(app.config, admin, str(order_id), True)
    run_jobs("chain")
    assert chain_jobs.get(db, job_id)["status"] == "failed"
    _agent(wallet, "Token", suite["token"], role=True)

    staff = signed_in_client(app, admin)
    assert "Freeze again" in staff.get("/admin/transactions/failed").text
    first = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    assert "Sent again as job freezePartialTokens:order:" in first and "already sent again" in second
    run_jobs("chain")
    token = contract(wallet.w3, "Token", suite["token"])
    assert token.functions.getFrozenTokens(holder).call() == 7, "frozen once, not twice"
    retried = chain_jobs.get(db, job_id)["retriedAs"]
    assert retried.endswith(":2") and chain_jobs.get(db, retried)["status"] == "done"
    assert db.auditLogs.count_documents({"event": "chain_job.retried"}) == 1


def test_kinds_never_sent_again_say_why_and_offer_only_resolution(app, db):
    job_id = "setAddressFrozen:test-1"  # no page sends it as a job yet: it has no retry with its chain check
    chain_jobs.create(db, job_id, "setAddressFrozen", {"to": "0x0", "data": "0x", "label": "x", "value": "0"})
    chain_jobs.finish(db, job_id, chain_jobs.FAILED, error="Token.setAddressFrozen reverted: not an agent")
    staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    page = staff.get("/admin/transactions/failed").text
    assert 'data-testid="not-retryable"' in page and "not sent again from here" in page
    assert "Resolve by hand" in page and 'action="/admin/transactions/failed/retry"' not in page
    refused = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    assert "This kind of operation is not sent again from here: the platform has no check" in refused
    assert db.chainJobs.count_documents({}) == 1


@pytest.fixture
def id_factory(app, platform, wallet):
    """The platform's IdFactory; its ownership goes back to the hot wallet whatever the test does."""
    bound = contract(wallet.w3, "IdFactory", platform["idFactory"])
    stranger = Account.create()
    wallet.w3.provider.make_request("anvil_setBalance", [stranger.address, hex(10**20)])
    yield bound, stranger
    if bound.functions.owner().call() == stranger.address:
        send_call(wallet.w3, stranger, function_call(bound, "transferOwnership", wallet.account.address))


def test_a_failed_identity_creation_is_sent_again_once_and_the_identity_path_finishes(app, db, platform, wallet,
                                                                                       id_factory):
    bound, stranger = id_factory
    user = eligible_investor(country="FR")
    address = user["account"].address
    send_call(wallet.w3, wallet.account, function_call(bound, "transferOwnership", stranger.address))  # the cause
    with pytest.raises(RuntimeError, match="createIdentity"):
        identities.create_identities(str(user["_id"]))
    job_id = f"createIdentity:{address}"
    assert chain_jobs.get(db, job_id)["status"] == "failed"
    send_call(wallet.w3, stranger, function_call(bound, "transferOwnership", wallet.account.address))  # fixed

    staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    assert "Create the identity again" in staff.get("/admin/transactions/failed").text
    first = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    assert f"Sent again as job {job_id}:retry." in first and "already sent again" in second
    run_jobs("chain")  # the retried job and the investor's identity job, which follows it
    identity = get_identity(wallet.w3, platform, address)
    assert identity and has_valid_claim(wallet.w3, platform, identity), "the identity path went on to the claim"
    created = bound.events.WalletLinked().get_logs(from_block=0)
    assert sum(1 for log in created if log["args"]["wallet"] == address) == 1, "one identity for the wallet"
    assert chain_jobs.get(db, f"{job_id}:retry")["status"] == "done"
    details = db.userdetails.find_one({"userId": user["_id"]})
    assert [w.get("onchainID") for w in details["wallets"] if w["address"] == address] == [identity]
    assert db.auditLogs.count_documents({"event": "chain_job.retried"}) == 1


@pytest.fixture
def claim_key(app, platform, wallet):
    """The platform ClaimIssuer's signing key, put back whatever the test does."""
    issuer = contract(wallet.w3, "ClaimIssuer", platform["claimIssuer"])
    key = key_of(Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"]).address)
    yield issuer, key
    if not issuer.functions.keyHasPurpose(key, CLAIM_KEY).call():
        send_call(wallet.w3, wallet.account, function_call(issuer, "addKey", key, CLAIM_KEY, ECDSA_KEY_TYPE))


def test_a_failed_kyc_claim_is_sent_again_once(app, db, platform, wallet, claim_key):
    issuer, key = claim_key
    user = eligible_investor(country="FR")
    address = user["account"].address
    send_call(wallet.w3, wallet.account, function_call(issuer, "removeKey", key, CLAIM_KEY))  # the cause
    with pytest.raises(RuntimeError, match="addClaim"):
        identities.create_identities(str(user["_id"]))
    failed = db.chainJobs.find_one({"op": "addClaim", "status": "failed"})
    assert "invalid claim" in failed["error"]
    send_call(wallet.w3, wallet.account, function_call(issuer, "addKey", key, CLAIM_KEY, ECDSA_KEY_TYPE))  # fixed

    staff = signed_in_client(app, make_user("admin"))
    first = post(staff, "/admin/transactions/failed/retry", {"job_id": failed["_id"]}, follow_redirects=True).text
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": failed["_id"]}, follow_redirects=True).text
    assert f"Sent again as job {failed['_id']}:retry." in first and "already sent again" in second
    run_jobs("chain")
    identity = get_identity(wallet.w3, platform, address)
    assert has_valid_claim(wallet.w3, platform, identity)
    added = contract(wallet.w3, "Identity", identity).events.ClaimAdded().get_logs(from_block=0)
    assert sum(1 for log in added if log["address"] == identity) == 1, "the claim added once"
    details = db.userdetails.find_one({"userId": user["_id"]})
    assert [w.get("onchainID") for w in details["wallets"] if w["address"] == address] == [identity]
    assert db.chainJobs.count_documents({"retryOf": failed["_id"]}) == 1


@pytest.fixture
def issuer_manager(app, platform, wallet):
    """A second manager of the platform's ClaimIssuer, so the hot wallet's own management key can be taken away
    and given back; the keys are as before whatever the test does."""
    issuer = contract(wallet.w3, "ClaimIssuer", platform["claimIssuer"])
    stranger = Account.create()
    wallet.w3.provider.make_request("anvil_setBalance", [stranger.address, hex(10**20)])
    send_call(wallet.w3, wallet.account, function_call(issuer, "addKey", key_of(stranger.address), MANAGEMENT_KEY,
                                                       ECDSA_KEY_TYPE))
    yield issuer, stranger
    hot_key = key_of(wallet.account.address)
    if not issuer.functions.keyHasPurpose(hot_key, MANAGEMENT_KEY).call():
        send_call(wallet.w3, stranger, function_call(issuer, "addKey", hot_key, MANAGEMENT_KEY, ECDSA_KEY_TYPE))
    send_call(wallet.w3, wallet.account, function_call(issuer, "removeKey", key_of(stranger.address),
                                                       MANAGEMENT_KEY))


def test_a_failed_claim_revocation_is_sent_again_once(app, db, platform, wallet, issuer_manager):
    issuer, stranger = issuer_manager
    user = eligible_investor(country="FR")
    identity = identities.create_identities(str(user["_id"]))[user["account"].address]
    hot_key = key_of(wallet.account.address)
    send_call(wallet.w3, wallet.account, function_call(issuer, "removeKey", hot_key, MANAGEMENT_KEY))  # the cause
    with pytest.raises(RuntimeError, match="revokeClaim"):
        claims.revoke_claims(str(user["_id"]))
    failed = db.chainJobs.find_one({"op": "revokeClaimBySignature", "status": "failed"})
    send_call(wallet.w3, stranger, function_call(issuer, "addKey", hot_key, MANAGEMENT_KEY, ECDSA_KEY_TYPE))  # fixed
    assert has_valid_claim(wallet.w3, platform, identity)

    staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    assert "Revoke the claim again" in staff.get("/admin/transactions/failed").text
    first = post(staff, "/admin/transactions/failed/retry", {"job_id": failed["_id"]}, follow_redirects=True).text
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": failed["_id"]}, follow_redirects=True).text
    assert f"Sent again as job {failed['_id']}:retry." in first and "already sent again" in second
    run_jobs("chain")
    assert not has_valid_claim(wallet.w3, platform, identity), "the claim is revoked"
    revoked = issuer.events.ClaimRevoked().get_logs(from_block=0)
    signature = contract(wallet.w3, "Identity", identity).functions.getClaim(
        claim_id(platform["claimIssuer"], KYC_CLAIM_TOPIC)).call()[3]
    # an indexed `bytes` argument is logged as its keccak256
    assert sum(1 for log in revoked if log["args"]["signature"] == Web3.keccak(signature)) == 1, "revoked once"
    assert claims.revoke_claims(str(user["_id"])) == [], "the revocation path finds nothing left to do"


def _transfer_request(app, db, platform, wallet) -> tuple[dict, dict, str, str]:
    """An approved request to move 5 tokens from the investor's registered wallet to their second, new one."""
    offering = live_offering(app, platform, countries=("GB",), unpause=True)
    user = eligible_investor(country="GB")
    held, own = user["account"].address, Account.create().address
    identity = identities.create_identities(str(user["_id"]))[held]
    ops.register_identity(wallet.w3, wallet.account, offering["identityRegistry"], held, identity, 826)
    ops.mint(wallet.w3, wallet.account, offering["tokenAddress"], held, 5)
    user_details.add_verified_wallet(db, user["_id"], own, "metamask")
    request = transfer_requests.insert_open(db, {
        "userId": user["_id"], "offeringId": offering["_id"], "walletAddress": held, "newWalletAddress": own,
        "tokenQuantity": 5, "status": "approved", "isForceTransfer": False, "reason": "move to my own wallet"})
    return offering, request, held, own


def test_a_transfer_failed_on_its_forced_transfer_is_reopened_and_sent_once(app, db, platform, wallet):
    offering, request, held, own = _transfer_request(app, db, platform, wallet)
    _agent(wallet, "Token", offering["tokenAddress"], role=False)  # the cause
    assert execution.execute(app.config, str(request["_id"])) == "failed"
    job_id = f"forcedTransfer:transfer:{request['_id']}"
    assert AGENT_REFUSAL in chain_jobs.get(db, job_id)["error"]
    _agent(wallet, "Token", offering["tokenAddress"], role=True)  # fixed

    staff = signed_in_client(app, make_user("admin"))
    assert "Reopen the transfer and send again" in staff.get("/admin/transactions/failed").text
    first = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    second = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    assert f"Sent again as job {job_id}:retry." in first and "already sent again" in second
    run_jobs("chain")  # the retried forced transfer and the request's execution, which follows it
    token = contract(wallet.w3, "Token", offering["tokenAddress"])
    assert token.functions.balanceOf(own).call() == 5 and token.functions.balanceOf(held).call() == 0
    moved = token.events.Transfer().get_logs(from_block=0)
    assert sum(1 for log in moved if log["args"]["to"] == own) == 1, "sent once"
    done = transfer_requests.by_id(db, request["_id"])
    assert done["status"] == "completed" and done["forcedTransferJobId"] == f"{job_id}:retry"
    assert db.chainJobs.count_documents({"retryOf": job_id}) == 1


def test_a_transfer_failed_on_a_registration_done_meanwhile_goes_on_without_registering_again(
        app, db, platform, wallet):
    offering, request, _held, own = _transfer_request(app, db, platform, wallet)
    _agent(wallet, "IdentityRegistry", offering["identityRegistry"], role=False)  # the cause
    assert execution.execute(app.config, str(request["_id"])) == "failed"
    job_id = f"registerIdentity:transfer:{request['_id']}"
    assert chain_jobs.get(db, job_id)["status"] == "failed"
    _agent(wallet, "IdentityRegistry", offering["identityRegistry"], role=True)
    ops.register_identity(wallet.w3, wallet.account, offering["identityRegistry"], own,
                          get_identity(wallet.w3, platform, own), 826)  # registered meanwhile by hand

    staff = signed_in_client(app, make_user("admin"))
    answer = post(staff, "/admin/transactions/failed/retry", {"job_id": job_id}, follow_redirects=True).text
    assert "Nothing was sent" in answer and "the transfer goes on" in answer
    assert db.chainJobs.count_documents({"retryOf": job_id}) == 0
    run_jobs("chain")  # the reopened request's execution: no registration, the forced transfer
    assert _registrations(wallet, offering["identityRegistry"], own) == 1
    assert contract(wallet.w3, "Token", offering["tokenAddress"]).functions.balanceOf(own).call() == 5
    assert transfer_requests.by_id(db, request["_id"])["status"] == "completed"
