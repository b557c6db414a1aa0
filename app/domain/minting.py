"""Minting settled orders: claim them for a batch, record the batch's intent, enqueue it.

Exactly once per order: an order is claimed by one mint job with a conditional update
before any intent exists, and the job's orders are read back from those claims, so two
concurrent calls can never put one order in two batches. A crash between the claim and
the job record is repaired by the next call (the claims name the job to recreate).
"""

from __future__ import annotations

import hashlib

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.node import web3_client
from app.chain.tx import function_call
from app.data import chain_jobs, offerings, orders
from app.data.mongo import get_db
from app.domain.chain_ops import stored_call
from app.tasks.chain import enqueue

BATCH_SIZE = 100  # recipients per batchMint: ~60-250k gas each keeps a batch well under a block


def mint_ready_orders(config: dict, offering_id, *, batch_size: int = BATCH_SIZE) -> list[str]:
    """Put every settled, unminted order of the offering into mint jobs and enqueue them; returns job ids."""
    db = get_db(config)
    token = _token_of(db, offering_id)
    job_ids = []
    for job_id in orders.unminted_job_ids(db, offering_id):  # claimed earlier, maybe never recorded
        job_ids.append(_record(config, db, job_id, token, orders.claimed_by(db, job_id)))
    while True:
        ready = orders.ready_to_mint(db, offering_id, batch_size)
        if not ready:
            break
        job_id = "mint:" + hashlib.sha256(",".join(str(o["_id"]) for o in ready).encode()).hexdigest()[:24]
        job_ids.append(_record(config, db, job_id, token, orders.claim_for_job(db, [o["_id"] for o in ready], job_id)))
    for job_id in job_ids:
        enqueue(config, job_id)
    return job_ids


def mint_order(config: dict, order_id) -> str | None:
    """Mint one settled order (its own job, keyed by the order id); None if it is not ready."""
    db = get_db(config)
    order = orders.get(db, order_id)
    if order is None or not order.get("isSettled") or order.get("isMinted"):
        return None
    job_id = order.get("mintJobId") or f"mint:order:{order_id}"
    _record(config, db, job_id, _token_of(db, order["offeringId"]), orders.claim_for_job(db, [order_id], job_id))
    enqueue(config, job_id)
    return job_id


def _record(config: dict, db, job_id: str, token: str, claimed: list[dict]) -> str:
    """The job's intent: one mint (or batchMint) of exactly the orders it claimed."""
    wallets = [Web3.to_checksum_address(o["walletAddress"]) for o in claimed]
    amounts = [int(o["quantity"]) for o in claimed]
    bound = contract(web3_client.get(config), "Token", token)
    call = (function_call(bound, "mint", wallets[0], amounts[0]) if len(claimed) == 1
            else function_call(bound, "batchMint", wallets, amounts))
    chain_jobs.create(db, job_id, "mint", stored_call(call), orderIds=[o["_id"] for o in claimed], token=token)
    return job_id


def _token_of(db, offering_id) -> str:
    token = offerings.token_address(db, offering_id)
    if not token:
        raise LookupError(f"offering {offering_id} has no deployed token")
    return token
