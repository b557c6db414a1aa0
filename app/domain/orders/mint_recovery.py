"""A failed mint job: split its batch so the other orders mint, hold the order that cannot, let staff retry it.

Why: one recipient the token refuses (a wallet no longer verified in the identity registry, a
frozen wallet) reverts a whole `batchMint`, and every order in it would stay "Paid, minting".

Exactly once still holds. A failed job minted nothing (its one mined transaction reverted, or it
was refused before sending) and never runs again (a closed job returns at once). Its orders are
split into two child jobs whose ids the parent fixes (`<parent>/0`, `<parent>/1`), with the
parent's own recipients and amounts: whoever splits, however often, records the same two intents
(unique inserts) and moves each claim in `mintClaims` from the parent to the one child holding it
(conditional on the parent's id, under the parent's lock). A failed job of one order holds that
order (`mintHeld`, with the contract's reason, app.chain.revert); staff retry it once the cause is
fixed: the claim moves from the failed job to a new job `mint:order:<id>:<attempt>` under the
order's lock, only while the job holding it has failed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from eth_abi import decode

from app import locks
from app.data import chain_jobs, mint_claims, orders
from app.data.mongo import get_db
from app.domain.orders import minting
from app.domain.orders.rules import Refusal
from app.domain.platform import chain_ops
from app.tasks import chain as chain_tasks

log = logging.getLogger(__name__)


def recover(config: dict, job_id: str) -> list[str]:
    """After the mint job `job_id` failed: split it (returns the child jobs, enqueued) or hold its one order."""
    db = get_db(config)
    job = chain_jobs.get(db, job_id)
    if job is None or job["status"] != chain_jobs.FAILED or not job.get("orderIds") or job.get("recovered"):
        return []
    with locks.mint_job(job_id, config):
        children = _split(db, job) if len(job["orderIds"]) > 1 else []
        if not children:
            _hold(config, db, job)
        chain_jobs.note(db, job_id, recovered=True, splitInto=children)
    chain_tasks.enqueue_many(config, children)
    return children


def recover_all(config: dict) -> list[str]:
    """Recover every failed mint job not recovered yet (a worker died between the failure and its recovery)."""
    job_ids = chain_jobs.failed_unrecovered_mints(get_db(config))
    for job_id in job_ids:
        recover(config, job_id)
    return job_ids


def _split(db, job: dict) -> list[str]:
    """Two child jobs of the failed batch (recorded once), the claims moved to them; their ids."""
    wallets, amounts = recipients(job["call"]["data"])
    members = list(zip(job["orderIds"], wallets, amounts, strict=True))
    middle = len(members) // 2
    records = []
    for index, half in enumerate((members[:middle], members[middle:])):
        call = minting.mint_call(job["call"]["to"], [w for _, w, _ in half], [a for _, _, a in half])
        records.append({"_id": f"{job['_id']}/{index}", "op": "mint", "call": chain_ops.stored_call(call),
                        "orderIds": [order_id for order_id, _, _ in half], "token": job["call"]["to"],
                        "splitFrom": job["_id"]})
    chain_jobs.create_many(db, records)
    mint_claims.move(db, {r["_id"]: r["orderIds"] for r in records}, job["_id"])
    log.warning("mint job %s failed (%s): split into %s", job["_id"], job.get("error"), [r["_id"] for r in records])
    return [r["_id"] for r in records]


def recipients(data: str) -> tuple[list[str], list[int]]:
    """The wallets and amounts of a stored Token.mint or Token.batchMint call (as orders.minting encodes them)."""
    raw = bytes.fromhex(data[2:])
    if len(raw) == 4 + 64:  # mint(address,uint256): two static words
        wallet, amount = decode(["address", "uint256"], raw[4:])
        return [wallet], [amount]
    wallets, amounts = decode(["address[]", "uint256[]"], raw[4:])
    return list(wallets), list(amounts)


def _hold(config: dict, db, job: dict) -> None:
    """The one order of a failed job waits for staff, with the contract's reason."""
    order_id = job["orderIds"][0]
    with locks.order(order_id, config):
        if mint_claims.jobs_of(db, [order_id]).get(order_id) != job["_id"]:
            return  # staff retried it already: the claim is the new job's
        orders.transition(db, order_id, {"isMinted": {"$ne": True}},
                          {"mintHeld": True, "mintHoldReason": job.get("error") or "the mint failed",
                           "mintHoldJob": job["_id"], "mintHeldAt": datetime.now(UTC)})
    log.warning("order %s held: its mint job %s failed: %s", order_id, job["_id"], job.get("error"))


def retry(config: dict, order: dict) -> str:
    """Mint a held order again (staff fixed the cause); returns the new job id. Refuses unless it is held."""
    db = get_db(config)
    with locks.order(order["_id"], config):
        current = orders.get(db, order["_id"])
        holder = mint_claims.jobs_of(db, [order["_id"]]).get(order["_id"])
        failed = chain_jobs.get(db, holder) if holder else None
        if not current.get("mintHeld") or current.get("isMinted") or not failed \
                or failed["status"] != chain_jobs.FAILED:
            raise Refusal("This order's mint is not held: there is nothing to retry.")
        attempt = int(current.get("mintAttempts") or 0) + 1
        job_id = f"mint:order:{order['_id']}:{attempt}"
        chain_jobs.create_many(db, [{"_id": job_id, "op": "mint", "call": failed["call"], "orderIds": [order["_id"]],
                                     "token": failed["call"]["to"], "retryOf": holder}])
        mint_claims.move(db, {job_id: [order["_id"]]}, holder)
        orders.transition(db, order["_id"], {}, {"mintHeld": False, "mintAttempts": attempt, "mintJobId": job_id})
    chain_tasks.enqueue_many(config, [job_id])
    return job_id
