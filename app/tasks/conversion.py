"""Jobs of conversion to ERC-20: finishing an issuer's enabling, and running a holder's conversion.

Why a task around the chain jobs: enabling is three steps (deploy, wait for the chain monitor to watch the
address, make it an agent of the security token) whose later steps need the earlier ones' outcome. Each chain
step is an exactly-once job under a natural key (app/domain/conversion/enabling.py); this task only drives
and reads them, so any number of runs, after any crash, records the ERC-20 once.
"""

from __future__ import annotations

import time

from bson import ObjectId
from flask import current_app

from app.chain.node import web3_client
from app.data import chain_contracts, chain_jobs
from app.data.mongo import get_db
from app.domain.conversion import enabling
from app.domain.platform import chain_jobs as jobs
from app.tasks.queues import CHAIN, CHAIN_RETRY, job

MONITOR_WAIT_S = 60  # then the task fails and its retry (CHAIN_RETRY) waits longer


class MonitorNotWatching(RuntimeError):
    """The chain monitor has not taken the new ERC-20 in yet; retried (no monitor running: start it)."""


@job(CHAIN, timeout=900, retry=CHAIN_RETRY)
def finish_enabling(offering_id: str) -> str:
    """Drive the enabling of `offering_id` to its end; returns enabled or failed."""
    return finish(current_app.config, offering_id)


def finish(config: dict, offering_id: str) -> str:
    db = get_db(config)
    attempt, _ = enabling.latest_attempt(db, ObjectId(offering_id))
    if not attempt:
        raise LookupError(f"no conversion enabling recorded for offering {offering_id}")
    deployed = jobs.execute(config, enabling.deploy_job_id(offering_id, attempt))
    if deployed["status"] == chain_jobs.FAILED:
        return enabling.FAILED
    wallet_w3 = web3_client.get(config)
    receipt = wallet_w3.eth.get_transaction_receipt(deployed["txHash"])
    erc20 = receipt["contractAddress"]
    token = deployed["target"]
    chain_id = wallet_w3.eth.chain_id
    chain_contracts.add_awaiting_monitor(db, chain_id, erc20, "erc20", source="conversion")
    deadline = time.monotonic() + MONITOR_WAIT_S
    while not chain_contracts.is_watched(db, chain_id, erc20):
        if time.monotonic() > deadline:
            raise MonitorNotWatching(f"the chain monitor has not taken in {erc20} yet (is `flask chain monitor` up?)")
        time.sleep(0.2)
    agent_id = enabling.agent_job_id(offering_id, attempt)
    chain_jobs.create(db, agent_id, enabling.ADD_AGENT, enabling.agent_call(config, token, erc20),
                      offeringId=offering_id, target=token, erc20=erc20)
    added = jobs.execute(config, agent_id)
    if added["status"] == chain_jobs.FAILED:
        return enabling.FAILED
    enabling.record_enabled(config, ObjectId(offering_id), token, erc20, deployed["txHash"])
    return enabling.ENABLED


def enqueue_enabling(config: dict, offering_id: str) -> None:
    finish_enabling.delay(offering_id, job_id=f"conversion-enable-{offering_id}",
                          description=f"enable conversion of offering {offering_id}", config=config)
