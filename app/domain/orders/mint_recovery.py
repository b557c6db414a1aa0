"""A failed mint job: mint the orders the token accepts, hold the ones it refuses, let staff retry them.

Why: one recipient the token refuses (a wallet no longer verified in the identity registry, a
frozen wallet) reverts a whole `batchMint`, and every order in it would stay "Paid, minting".

How a failed batch is taken apart. Each recipient's own mint is first tried without sending
(one `eth_createAccessList` execution per recipient from the hot wallet, app.chain.tx.measure_gas):
- the recipients the token refuses are *held* on the failed job, each with the contract's own
  reason (app.chain.revert), and the others go to one child job `<parent>/0`: one investor who
  cannot receive never blocks the others, and no transaction is spent finding them;
- when every recipient is refused (a token-wide cause: the hot wallet lost its agent role, a supply
  cap) every order is held on the one failed job, which staff retry as a whole once the cause is
  fixed (`retry_job`), instead of one failing transaction per order;
- when every recipient passes alone (the batch failed for itself: gas, a cap the sum crosses) it
  is halved into `<parent>/0` and `<parent>/1`, and the halves are recovered the same way.

Exactly once still holds. A failed job minted nothing and never runs again (a closed job returns
at once). Children ids are fixed by the parent and recorded by unique insert; each claim in
`mintClaims` moves from the failed job to the one job holding it, conditional on the failed job's
id, under the failed job's lock (a retry moves it under the order's lock too). A held order's claim
stays on the failed job, so nothing mints it until staff retry it: the claim then moves to the new
job, only while the job holding it has failed.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

from eth_abi import decode
from eth_account import Account

from app import locks
from app.chain.node import web3_client
from app.chain.revert import ChainRevert
from app.chain.tx import measure_gas
from app.data import chain_jobs, mint_claims, orders
from app.data.mongo import get_db
from app.domain.orders import minting
from app.domain.orders.rules import Refusal
from app.domain.platform import chain_ops
from app.tasks import chain as chain_tasks

log = logging.getLogger(__name__)


def recover(config: dict, job_id: str) -> list[str]:
    """After the mint job `job_id` failed: mint what the token accepts (the enqueued child jobs), hold the rest."""
    db = get_db(config)
    job = chain_jobs.get(db, job_id)
    if not _recoverable(job):
        return []
    refused = probe(config, job) if len(job["orderIds"]) > 1 else {0: job.get("error") or "the mint failed"}
    with locks.mint_job(job_id, config):
        job = chain_jobs.get(db, job_id)
        if not _recoverable(job):
            return []
        members = _members(job)
        if not refused:  # every recipient mints alone: the batch failed as a whole, so halve it
            children = _record_children(db, job, [members[:len(members) // 2], members[len(members) // 2:]])
        else:
            children = _record_children(db, job, [[m for i, m in enumerate(members) if i not in refused]])
        for index, reason in refused.items():
            _hold(config, db, job, members[index][0], reason)
        chain_jobs.note(db, job_id, recovered=True, splitInto=children,
                        heldOrders=[members[i][0] for i in refused], tokenWide=len(refused) == len(members) > 1,
                        heldReasons=[{"orderId": members[i][0], "reason": reason} for i, reason in refused.items()])
    chain_tasks.enqueue_many(config, children)
    return children


def _recoverable(job: dict | None) -> bool:
    return bool(job and job["status"] == chain_jobs.FAILED and job.get("orderIds") and not job.get("recovered"))


def recover_all(config: dict) -> list[str]:
    """Recover every failed mint job not recovered yet (a worker died between the failure and its recovery)."""
    job_ids = chain_jobs.failed_unrecovered_mints(get_db(config))
    for job_id in job_ids:
        recover(config, job_id)
    return job_ids


def probe(config: dict, job: dict) -> dict[int, str]:
    """{index: the contract's reason} of each recipient of the job whose own mint the token refuses now."""
    w3 = web3_client.get(config)
    sender = Account.from_key(config["DEPLOYER_PRIVATE_KEY"]).address
    refused = {}
    for index, (_order_id, wallet, amount) in enumerate(_members(job)):
        try:
            measure_gas(w3, sender, minting.mint_call(job["call"]["to"], [wallet], [amount]))
        except ChainRevert as revert:
            refused[index] = str(revert)
    return refused


def _members(job: dict) -> list[tuple]:
    """(order id, wallet, amount) of each recipient, in the job's order."""
    wallets, amounts = recipients(job["call"]["data"])
    return list(zip(job["orderIds"], wallets, amounts, strict=True))


def _record_children(db, job: dict, groups: list[list[tuple]]) -> list[str]:
    """A child job per non-empty group (`<parent>/<n>`, recorded once), the claims moved to them; their ids."""
    records = [_mint_record(f"{job['_id']}/{index}", job["call"]["to"], group, splitFrom=job["_id"])
               for index, group in enumerate(groups) if group]
    if not records:
        return []
    chain_jobs.create_many(db, records)
    mint_claims.move(db, {r["_id"]: r["orderIds"] for r in records}, job["_id"])
    log.warning("mint job %s failed (%s): its mintable orders go to %s", job["_id"], job.get("error"),
                [r["_id"] for r in records])
    return [r["_id"] for r in records]


def _mint_record(job_id: str, token: str, members: list[tuple], **refs) -> dict:
    call = minting.mint_call(token, [w for _, w, _ in members], [a for _, _, a in members])
    return {"_id": job_id, "op": "mint", "call": chain_ops.stored_call(call),
            "orderIds": [order_id for order_id, _, _ in members], "token": token, **refs}


def recipients(data: str) -> tuple[list[str], list[int]]:
    """The wallets and amounts of a stored Token.mint or Token.batchMint call (as orders.minting encodes them)."""
    raw = bytes.fromhex(data[2:])
    if len(raw) == 4 + 64:  # mint(address,uint256): two static words
        wallet, amount = decode(["address", "uint256"], raw[4:])
        return [wallet], [amount]
    wallets, amounts = decode(["address[]", "uint256[]"], raw[4:])
    return list(wallets), list(amounts)


def _hold(config: dict, db, job: dict, order_id, reason: str) -> None:
    """The order waits for staff on the failed job (its claim stays there), with the contract's reason."""
    with locks.order(order_id, config):
        if mint_claims.jobs_of(db, [order_id]).get(order_id) != job["_id"]:
            return  # staff retried it already: the claim is the new job's
        orders.transition(db, order_id, {"isMinted": {"$ne": True}},
                          {"mintHeld": True, "mintHoldReason": reason, "mintHoldJob": job["_id"],
                           "mintHeldAt": datetime.now(UTC)})
    log.warning("order %s held: its mint job %s failed: %s", order_id, job["_id"], reason)


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
        [member] = [m for m in _members(failed) if m[0] == order["_id"]]
        chain_jobs.create_many(db, [_mint_record(job_id, failed["call"]["to"], [member], retryOf=holder)])
        mint_claims.move(db, {job_id: [order["_id"]]}, holder)
        orders.transition(db, order["_id"], {}, {"mintHeld": False, "mintAttempts": attempt, "mintJobId": job_id})
    chain_tasks.enqueue_many(config, [job_id])
    return job_id


def retry_job(config: dict, job_id: str) -> str:
    """Mint again, in one job, every order still held on the failed mint job `job_id`; returns the new job id.

    Each claim moves to the new job under its order's lock (the order's own retry takes the same
    lock) before the job is recorded with exactly the orders moved: the job never mints an order it
    does not hold. A crash between the two leaves claims naming an unrecorded job, which the next
    `mint_ready_orders` (settlement, `flask chain requeue`) records from those orders."""
    db = get_db(config)
    with locks.mint_job(job_id, config):
        job = chain_jobs.get(db, job_id)
        if not job or job.get("op") != "mint" or job["status"] != chain_jobs.FAILED or not job.get("recovered"):
            raise Refusal("Only a failed mint job, once taken apart, can be retried.")
        members = _members(job)
        claims = mint_claims.jobs_of(db, [m[0] for m in members])
        candidates = [m for m in members if claims.get(m[0]) == job_id]
        digest = hashlib.sha256(",".join(str(m[0]) for m in candidates).encode()).hexdigest()[:16]
        new_id = f"{job_id}:retry:{digest}"
        moved = [m for m in candidates if _move_held(config, db, job_id, new_id, m[0])]
        if not moved:
            raise Refusal("No order of this job is held any more: there is nothing to retry.")
        chain_jobs.create_many(db, [_mint_record(new_id, job["call"]["to"], moved, retryOf=job_id)])
        chain_jobs.note(db, job_id, retriedAs=new_id)
    chain_tasks.enqueue_many(config, [new_id])
    return new_id


def _move_held(config: dict, db, job_id: str, new_id: str, order_id) -> bool:
    """Under the order's lock: hand its claim from `job_id` to `new_id` if the failed job still holds it unminted."""
    with locks.order(order_id, config):
        current = orders.get(db, order_id)
        if mint_claims.jobs_of(db, [order_id]).get(order_id) != job_id or not current or current.get("isMinted"):
            return False
        mint_claims.move(db, {new_id: [order_id]}, job_id)
        orders.transition(db, order_id, {}, {"mintHeld": False, "mintJobId": new_id,
                                             "mintAttempts": int(current.get("mintAttempts") or 0) + 1})
        return True
