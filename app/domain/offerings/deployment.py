"""Deploying an approved offering's ERC-3643 token suite, and learning that it is on chain.

The admin's click records one exactly-once chain job (app.domain.platform.chain_jobs) whose natural
key is the offering id and attempt; the factory's salt (the offering id) makes a second
suite for the same offering impossible on chain. The offering's tokenAddress,
identityRegistry, deployedDate and isTokenDeploy come only from the synced
TREXSuiteDeployed event (chain-sync calls `apply_suite_deployed`), never from the job.
Both writes to the offering hold `locks.offering` (app/locks.py): two admins' retries could
otherwise both pass the conditional update. Even then the job is one (its id is the
attempt, recorded by a unique insert), but each admin was told they started it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from eth_account import Account
from flask import current_app
from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.suite import suite_arguments
from app.chain.tx import function_call
from app.data import chain_jobs, offerings
from app.data.mongo import get_db
from app.domain.offerings.review import Conflict, offering_for_review
from app.domain.offerings.rules import numeric_countries
from app.domain.offerings.service import offering_changed
from app.domain.platform import audit, stage_mails
from app.domain.platform.chain import current_platform
from app.domain.platform.chain_ops import stored_call
from app.tasks import chain as chain_tasks

DEPLOYABLE = ("approved", "deploy_failed")


def job_id(offering_id: str, attempt: int) -> str:
    return f"deployTREXSuite:{offering_id}:{attempt}"


def salt_hash(salt: str) -> str:
    """How the factory's event carries the salt (`string indexed`): its keccak256, 0x-hex."""
    return Web3.keccak(text=salt).to_0x_hex()


# An average Gregorian month: the lock-up is a duration on chain (seconds), the offering states months.
SECONDS_PER_MONTH = 2_629_746


def _compliance_values(doc: dict) -> dict:
    """The suite's compliance settings from the offering: countries, holding limit, supply, lock-up and
    the investor caps (maxInvestors, maxInvestorsPerCountry {alpha-2: cap}, both set on the wizard's token
    step; absent = no cap)."""
    details = doc["projectDetails"]
    unit = 10 ** int(details.get("tokenDecimals") or 0)
    per_country = details.get("maxInvestorsPerCountry") or {}
    return {"authorized_countries": numeric_countries(details.get("authorizedCountries") or []),
            "max_balance": int(details.get("maxTokenHolding") or 0) * unit,
            "supply_cap": int(details.get("tokenSupply") or 0) * unit,
            "decimals": int(details.get("tokenDecimals") or 0),
            "investor_cap": int(details.get("maxInvestors") or 0),
            "country_investor_caps": dict(zip(numeric_countries(list(per_country)),
                                              (int(cap) for cap in per_country.values()), strict=True)),
            "lockup_seconds": int(details.get("lockupMonths") or 0) * SECONDS_PER_MONTH}


def start(actor: dict, offering_id: str) -> str:
    """Record and enqueue the deployment of an approved offering, or retry one whose job failed; returns the job id."""
    doc = offering_for_review(actor, offering_id)
    current = _state(doc)
    if current not in DEPLOYABLE:
        raise Conflict(f"Only approved offerings can be deployed; this one is {current.replace('_', ' ')}.")
    config = current_app.config
    platform = current_platform(config)
    if platform is None:
        raise Conflict("The platform's contracts are not on this chain yet: run `flask chain bootstrap`.")
    w3, hot_wallet = web3_client.get(config), Account.from_key(config["DEPLOYER_PRIVATE_KEY"]).address
    details, compliance = doc["projectDetails"], _compliance_values(doc)
    arguments = suite_arguments(w3, platform, salt=offering_id, name=details["assetName"],
                                symbol=details["tokenTicker"], owner=hot_wallet, agents=[hot_wallet], **compliance)
    attempt = (doc.get("deployAttempts") or 0) + 1
    # Conditional on the job we saw: two admins retrying at once start one deployment, not two.
    changes = {"status": "deploying", "deployAttempts": attempt, "deployJobId": job_id(offering_id, attempt),
               "deploySaltHash": salt_hash(offering_id), "deployRequestedAt": datetime.now(UTC)}
    with locks.offering(doc["_id"]):
        updated = offerings.transition(get_db(), doc["_id"], (doc["status"],), changes,
                                       expect={"deployJobId": doc.get("deployJobId")})
    if updated is None:
        raise Conflict("Someone started this deployment already; reload the page.")
    factory = contract(w3, "TREXFactory", platform["trexFactory"])
    chain_jobs.create(get_db(), updated["deployJobId"], "deployTREXSuite",
                      stored_call(function_call(factory, "deployTREXSuite", *arguments)),
                      target=platform["trexFactory"], offeringId=offering_id)
    chain_tasks.enqueue(config, updated["deployJobId"])
    audit.record("offering.deployment_requested", actor=actor, details={"offeringId": offering_id,
                                                                        "attempt": attempt})
    return updated["deployJobId"]


def _job(doc: dict) -> dict | None:
    return chain_jobs.get(get_db(), doc["deployJobId"]) if doc.get("deployJobId") else None


def _state(doc: dict, job: dict | None = None) -> str:
    """The offering's deployment state as shown: a deploying offering whose job failed is `deploy_failed`.
    Derived, never written, so reading the progress (a GET) changes nothing."""
    if doc["status"] == "deploying" and (job or _job(doc) or {}).get("status") == chain_jobs.FAILED:
        return "deploy_failed"
    return doc["status"]


def progress(actor: dict, offering_id: str) -> dict:
    """What the live progress fragment shows: the offering's state and its chain job's."""
    return progress_of(offering_for_review(actor, offering_id))


def progress_of(doc: dict) -> dict:
    """The progress of an offering the caller already loaded (and checked access to)."""
    job = _job(doc)
    return {"status": _state(doc, job), "job": job and {"status": job["status"], "txHash": job.get("txHash"),
                                                         "error": job.get("error")},
            "tokenAddress": doc.get("tokenAddress"), "identityRegistry": doc.get("identityRegistry"),
            "deployedDate": doc.get("deployedDate"), "error": job.get("error") if job else None}


def apply_suite_deployed(db, event: dict) -> bool:
    """Chain-sync: a TREXSuiteDeployed event lists the offering whose salt it carries; idempotent."""
    args = event["args"]
    salt = args.get("_salt")
    changes = {"tokenAddress": args["_token"], "identityRegistry": args["_ir"], "isTokenDeploy": True,
               "deployedDate": datetime.now(UTC), "deployTxHash": event.get("transactionHash"),
               "compliance": args.get("_mc"), "status": "live"}
    offering_id = offerings.id_deploying(db, salt)
    if offering_id is None:
        return False
    with locks.offering(offering_id):
        updated = offerings.mark_deployed(db, salt, changes)
    if updated is None:
        return False
    offering_changed(str(updated["_id"]))
    stage_mails.offering_live(updated["_id"])
    return True


def apply_deployments(db, logs: list[dict]) -> int:
    """Chain-sync hook: every TREXSuiteDeployed among newly stored logs; returns how many offerings it listed."""
    return sum(apply_suite_deployed(db, log) for log in logs if log["event"] == "TREXSuiteDeployed")
