"""The `mintClaims` collection, and the minting side of `orders` (which orders are ready, which are minted).

Why a collection of claims instead of a field on each order: an order belongs to the one
mint job allowed to mint it. A claim is a document whose `_id` is the order id, so a bulk
insert claims a whole batch exactly once in one round trip (FerretDB writes 100 inserted
documents per SQLite transaction, where a conditional update costs one per order). A
concurrent claimer of the same order gets a duplicate key and the order stays with the
first job. Orders are written only when chain-sync sees their mint on chain.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.database import Database

from app.data import amounts, bulk
from app.data.indexes import ASC, Index

NAME = "mintClaims"
INDEXES = (Index((("jobId", ASC),)), Index((("offeringId", ASC),)))
ORDERS = "orders"


def ready(db: Database, offering_id) -> list[dict]:
    """Settled, unminted orders of the offering (claimed or not) not held for a revoked KYC, oldest first.

    Sorted here: FerretDB v1 sorts in memory anyway, and the set is bounded by unminted orders.
    """
    found = db[ORDERS].find({"offeringId": offering_id, "isSettled": True, "isMinted": {"$ne": True},
                             "kycHold": {"$ne": True}},  # held: the investor's KYC was revoked (onboarding.revocation)
                            {"walletAddress": 1, "quantity": 1})
    return sorted((amounts.decode(order, ("quantity",)) for order in found), key=lambda order: order["_id"])


def settled(db: Database, offering_ids: list) -> list[dict]:
    """Settled orders of these offerings, minted or not, with what reconciliation compares with the chain."""
    if not offering_ids:
        return []
    found = db[ORDERS].find({"offeringId": {"$in": list(offering_ids)}, "isSettled": True},
                            {"walletAddress": 1, "quantity": 1, "isMinted": 1, "isFreezed": 1, "tx_hash": 1})
    return [amounts.decode(order, ("quantity",)) for order in found]


def claim(db: Database, offering_id, batches: dict[str, list]) -> None:
    """Claim each batch's order ids ({job id: [order id]}) for its job; ids claimed earlier keep their job."""
    now = datetime.now(UTC)
    bulk.insert_new(db[NAME], [{"_id": order_id, "jobId": job_id, "offeringId": offering_id, "claimedAt": now}
                               for job_id, order_ids in batches.items() for order_id in order_ids])


def jobs_of(db: Database, order_ids: list) -> dict:
    """{order id: id of the job that claimed it}, for the claimed ones among `order_ids`."""
    if not order_ids:
        return {}
    if len(order_ids) == 1:  # by _id alone: the only query FerretDB v1 answers without a scan
        doc = db[NAME].find_one({"_id": order_ids[0]}, {"jobId": 1})
        return {doc["_id"]: doc["jobId"]} if doc else {}
    return {d["_id"]: d["jobId"] for d in db[NAME].find({"_id": {"$in": list(order_ids)}}, {"jobId": 1})}


def move(db: Database, moves: dict[str, list], from_job: str) -> int:
    """Hand claims still held by `from_job` (a failed job) to other jobs ({job id: [order id]}); returns moved.

    Each update is conditional on the claim's current job, so a claim already moved stays where it went.
    The callers hold the failed job's lock (`locks.mint_job`, app/locks.py) and
    give every order one destination, so a claim moves at most once."""
    ops = [UpdateOne({"_id": order_id, "jobId": from_job}, {"$set": {"jobId": job_id, "movedFrom": from_job}})
           for job_id, order_ids in moves.items() for order_id in order_ids]
    return bulk.write(db[NAME], ops)


def mark_minted(db: Database, order_ids: list, tx_hash: str, minted_at: datetime) -> int:
    """Chain-sync: these orders were minted by `tx_hash` (one write per order, by id; a replay rewrites the same)."""
    fields = {"isMinted": True, "orderMinted": minted_at, "status": "minted", "tx_hash": tx_hash}
    return bulk.write(db[ORDERS], [UpdateOne({"_id": order_id}, {"$set": fields}) for order_id in order_ids])


def unmark_minted(db: Database, tx_hash: str) -> int:
    """Chain-sync after a reorg dropped the mint `tx_hash`: its orders are not minted (yet)."""
    update = {"$set": {"isMinted": False, "status": "settled"}, "$unset": {"orderMinted": "", "tx_hash": ""}}
    return db[ORDERS].update_many({"tx_hash": tx_hash}, update).modified_count
