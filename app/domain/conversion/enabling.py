"""The issuer enables conversion to ERC-20 once the lock-up has ended: the offering's ERC-20 is deployed, watched,
made an agent of the security token, and recorded (converts, offering.erc20Address/iserc20).

Why three chain jobs under natural keys, driven by one task (app/tasks/conversion.py): the deployment
(`deployErc20:<offering>`), then, once the chain monitor watches the new address, the security token's
`addAgent` (`addAgentErc20:<offering>`). Each is exactly once (app.domain.platform.chain_jobs); the task only
reads their outcome, so running it again after a crash finishes what is left and sends nothing twice. The
monitor is waited for before `addAgent` because the ERC-20 can emit nothing before it is an agent: none of its
Transfer events can fall in a block the monitor read without it.
"""

from __future__ import annotations

from datetime import datetime

from web3 import Web3

from app import locks
from app.chain.artifacts import contract
from app.chain.constants import ZERO_ADDRESS
from app.chain.node import web3_client
from app.chain.tx import creation_call, function_call
from app.chain.wallet import hot_wallet
from app.data import chain_jobs, converts, offerings
from app.data.mongo import get_db
from app.domain.conversion import rules
from app.domain.errors import Refused
from app.domain.platform import audit
from app.domain.platform.chain_ops import stored_call
from app.tasks import conversion as conversion_tasks  # it imports this module too (app/tasks/__init__.py)

DEPLOY, ADD_AGENT = "deployErc20", "addAgentErc20"
WAITING, DEPLOYING, ENABLED, FAILED = "waiting", "deploying", "enabled", "failed"


def deploy_job_id(offering_id, attempt: int) -> str:
    return f"{DEPLOY}:{offering_id}:{attempt}"


def agent_job_id(offering_id, attempt: int) -> str:
    return f"{ADD_AGENT}:{offering_id}:{attempt}"


def latest_attempt(db, offering_id) -> tuple[int, list[dict | None]]:
    """The latest attempt (0: none) and its [deploy job, agent job]. A failed attempt is closed for ever (its
    natural keys are taken), so enabling again starts the next one; two clicks at once compute the same one."""
    attempt, jobs = 0, [None, None]
    while (deploy := chain_jobs.get(db, deploy_job_id(offering_id, attempt + 1))) is not None:
        attempt += 1
        jobs = [deploy, chain_jobs.get(db, agent_job_id(offering_id, attempt))]
    return attempt, jobs


def _failed(jobs: list[dict | None]) -> dict | None:
    return next((j for j in jobs if j and j["status"] == chain_jobs.FAILED), None)


def last_mint_time(w3: Web3, token: str) -> int | None:
    """The block time of the token's latest mint (each mint starts its own lock-up), None if never minted."""
    bound = contract(w3, "Token", token)
    mints = bound.events.Transfer().get_logs(from_block=0, argument_filters={"from": ZERO_ADDRESS})
    if not mints:
        return None
    return int(w3.eth.get_block(max(log["blockNumber"] for log in mints))["timestamp"])


def lockup_end_of(w3: Web3, offering: dict) -> int | None:
    details = offering.get("projectDetails") or {}
    hold_time = details.get("holdTime") or offering.get("holdTime")
    if isinstance(hold_time, str):
        hold_time = datetime.fromisoformat(hold_time)
    return rules.lockup_end(int(details.get("lockupMonths") or 0), last_mint_time(w3, offering["tokenAddress"]),
                            hold_time if isinstance(hold_time, datetime) else None, details.get("lockupSeconds"))


def state(offering: dict) -> dict:
    """What the issuer's page shows: waiting (not asked), deploying, enabled or failed (with the job's reason)."""
    if offering.get("iserc20"):
        return {"status": ENABLED, "erc20Address": offering.get("erc20Address"), "error": None}
    attempt, jobs = latest_attempt(get_db(), offering["_id"])
    if not attempt:
        return {"status": WAITING, "erc20Address": None, "error": None}
    failed = _failed(jobs)
    if failed:
        return {"status": FAILED, "erc20Address": None, "error": failed.get("error")}
    return {"status": DEPLOYING, "erc20Address": None, "error": None}


def enable(config: dict, actor: dict, offering: dict) -> str:
    """Record the ERC-20's deployment for an offering the actor may manage, and enqueue the task finishing it;
    returns the deployment job's id. Refused (with the reason) before the lock-up's end or when enabled already."""
    w3 = web3_client.get(config)
    token = offering.get("tokenAddress")
    end = lockup_end_of(w3, offering) if token else None
    refusal = rules.enabling_refusal(offering, int(w3.eth.get_block("latest")["timestamp"]), end)
    if refusal:
        raise Refused(refusal)
    attempt, jobs = latest_attempt(get_db(config), offering["_id"])
    if attempt and not _failed(jobs):
        raise Refused("The ERC-20 is being deployed already; this page shows when it is done.")
    wallet = hot_wallet(config)
    call = creation_call(w3, "ConvertibleERC20", Web3.to_checksum_address(token), wallet.account.address)
    job_id = deploy_job_id(offering["_id"], attempt + 1)
    chain_jobs.create(get_db(config), job_id, DEPLOY, stored_call(call), offeringId=str(offering["_id"]),
                      target=token, attempt=attempt + 1)
    conversion_tasks.enqueue_enabling(config, str(offering["_id"]))
    audit.record("offering.conversion_enabled", actor=actor, details={"offeringId": str(offering["_id"])})
    return job_id


def agent_call(config: dict, token: str, erc20: str) -> dict:
    """The stored call making the ERC-20 an agent of the security token (the hot wallet owns the token)."""
    bound = contract(web3_client.get(config), "Token", token)
    return stored_call(function_call(bound, "addAgent", Web3.to_checksum_address(erc20)))


def record_enabled(config: dict, offering_id, token: str, erc20: str, tx_hash: str | None) -> None:
    """The converts record and the offering's seed fields, once (unique key; idempotent write)."""
    db = get_db(config)
    converts.record(db, offering_id, token, erc20, tx_hash)
    with locks.offering(offering_id, config):
        offerings.set_erc20(db, offering_id, erc20)
