"""Minting settled orders: claim them for batches, record the batches' intents, enqueue them.

Exactly once per order: an order is claimed by one mint job (a `mintClaims` document keyed
by the order id, app.data.mint_claims) before any intent exists, and each job's orders are
read back from those claims, so two concurrent calls can never put one order in two
batches. A crash between the claims and the job records is repaired by the next call (the
claims name the jobs to record). The whole call is a handful of round trips, whatever the
number of orders: one read of the ready orders, one bulk insert of claims, one read back,
one insert of the job records and one Redis pipeline of enqueues.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from app.chain.tx import Call
from app.data import chain_jobs, mint_claims, offerings, orders
from app.data.mongo import get_db
from app.domain.platform import chain_ops
from app.tasks import chain as chain_tasks

# recipients per batchMint: a first mint to a new investor costs up to ~400k gas with our compliance modules
# (identity ledgers, investor counts, lock-up lots; docs/contracts.md), so 40 stay near 16M, under the 30M block.
BATCH_SIZE = 40


def mint_ready_orders(config: dict, offering_id, *, batch_size: int = BATCH_SIZE) -> list[str]:
    """Put every settled, unminted order of the offering into mint jobs and enqueue them; returns job ids."""
    db = get_db(config)
    ready = mint_claims.ready(db, offering_id)
    if not ready:
        return []
    by_id = {o["_id"]: o for o in ready}
    claimed = mint_claims.jobs_of(db, list(by_id))
    unclaimed = [o["_id"] for o in ready if o["_id"] not in claimed]
    batches = {_batch_id(ids): ids for ids in _chunks(unclaimed, batch_size)}
    if batches:
        mint_claims.claim(db, offering_id, batches)
        claimed = mint_claims.jobs_of(db, list(by_id))
    members: dict[str, list[dict]] = defaultdict(list)
    for order in ready:
        if order["_id"] in claimed:
            members[claimed[order["_id"]]].append(order)
    job_ids = sorted(members)
    _record(db, _token_of(db, offering_id), {j: members[j] for j in job_ids})
    chain_tasks.enqueue_many(config, job_ids)
    return job_ids


def mint_order(config: dict, order_id) -> str | None:
    """Mint one settled order (its own job, keyed by the order id); None if it is not ready."""
    db = get_db(config)
    order = orders.get(db, order_id)
    if order is None or not order.get("isSettled") or order.get("isMinted"):
        return None
    job_id = f"mint:order:{order_id}"
    mint_claims.claim(db, order["offeringId"], {job_id: [order_id]})
    holder = mint_claims.jobs_of(db, [order_id])[order_id]
    if holder != job_id:  # a batch claimed it first: that batch (recorded, or repaired here) mints it
        if not chain_jobs.existing(db, [holder]):
            mint_ready_orders(config, order["offeringId"])
        chain_tasks.enqueue(config, holder)
        return holder
    _record(db, _token_of(db, order["offeringId"]), {job_id: [order]})
    chain_tasks.enqueue(config, job_id)
    return job_id


def _record(db, token: str, jobs: dict[str, list[dict]]) -> None:
    """Each new job's intent: one mint (or batchMint) of exactly the orders it claimed."""
    recorded = chain_jobs.existing(db, list(jobs))
    new = [job_id for job_id in jobs if job_id not in recorded]
    if not new:
        return
    checksum = {w: Web3.to_checksum_address(w) for w in {o["walletAddress"] for job_id in new for o in jobs[job_id]}}
    records = []
    for job_id in new:
        claimed = jobs[job_id]
        call = mint_call(token, [checksum[o["walletAddress"]] for o in claimed], [int(o["quantity"]) for o in claimed])
        records.append({"_id": job_id, "op": "mint", "call": chain_ops.stored_call(call),
                        "orderIds": [o["_id"] for o in claimed], "token": token})
    chain_jobs.create_many(db, records)


def mint_call(token: str, wallets: list[str], amounts: list[int]) -> Call:
    """Token.mint for one order, Token.batchMint for several, encoded with eth_abi directly.

    Why not web3's encode_abi: its argument formatters take ~35 ms per 100-recipient batch,
    most of the time of claiming a thousand orders.
    """
    name, types, args = (("mint", ["address", "uint256"], [wallets[0], amounts[0]]) if len(wallets) == 1
                         else ("batchMint", ["address[]", "uint256[]"], [wallets, amounts]))
    selector = function_signature_to_4byte_selector(f"{name}({','.join(types)})")
    return Call(to=token, data="0x" + (selector + encode(types, args)).hex(), label=f"Token.{name}")


def _batch_id(order_ids: list) -> str:
    """A batch's natural key: the digest of its order ids (the same batch always gets the same job)."""
    return "mint:" + hashlib.sha256(",".join(str(i) for i in order_ids).encode()).hexdigest()[:24]


def _chunks(items: list, size: int) -> list[list]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def _token_of(db, offering_id) -> str:
    token = offerings.token_address(db, offering_id)
    if not token:
        raise LookupError(f"offering {offering_id} has no deployed token")
    return token
