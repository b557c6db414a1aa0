"""The `orders` collection (seed: Order). Investment orders from placement through payment to minting.

Minting fields: `mintJobId` ties an order to the one chain job allowed to mint it (claimed
with a conditional update, so two batches never take the same order); `mintTxHashes` lists
every transaction that job signed for it (a replacement changes the hash); chain-sync sets
`isMinted`, `orderMinted` and `tx_hash` when one of those transactions' mint is on chain.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, DESC, Index

NAME = "orders"
INDEXES = (
    Index((("userId", ASC), ("createdAt", DESC))),
    Index((("offeringId", ASC), ("status", ASC))),
    Index((("status", ASC),)),
    Index((("tx_hash", ASC),)),
    Index((("mintTxHashes", ASC),)),
    Index((("mintJobId", ASC),)),
    Index((("idempotencyKey", ASC),), unique=True, sparse=True),
    Index((("paymentReference", ASC),), unique=True, sparse=True),
    Index((("userId", ASC), ("offeringId", ASC))),
    Index((("investorEmail", ASC),)),
)


def get(db: Database, order_id) -> dict | None:
    return db[NAME].find_one({"_id": order_id})


def ready_to_mint(db: Database, offering_id, limit: int) -> list[dict]:
    """Settled orders of an offering that no mint job has claimed yet, oldest first."""
    query = {"offeringId": offering_id, "isSettled": True, "isMinted": {"$ne": True}, "mintJobId": {"$exists": False}}
    return list(db[NAME].find(query, {"walletAddress": 1, "quantity": 1}).sort("_id", 1).limit(limit))


def claim_for_job(db: Database, order_ids: list, job_id: str) -> list[dict]:
    """Claim unclaimed orders for `job_id`; returns every order that job now owns."""
    db[NAME].update_many({"_id": {"$in": order_ids}, "mintJobId": {"$exists": False}}, {"$set": {"mintJobId": job_id}})
    return claimed_by(db, job_id)


def claimed_by(db: Database, job_id: str) -> list[dict]:
    return list(db[NAME].find({"mintJobId": job_id}, {"walletAddress": 1, "quantity": 1}).sort("_id", 1))


def unminted_job_ids(db: Database, offering_id) -> list[str]:
    """Mint jobs holding orders of the offering that are not minted yet (to resume after a crash)."""
    return sorted(db[NAME].distinct("mintJobId", {"offeringId": offering_id, "isMinted": {"$ne": True},
                                                  "mintJobId": {"$exists": True}}))


def note_mint_tx(db: Database, order_ids: list, tx_hash: str) -> None:
    """Remember a transaction signed to mint these orders (before it is broadcast)."""
    db[NAME].update_many({"_id": {"$in": order_ids}}, {"$addToSet": {"mintTxHashes": tx_hash}})


def mark_minted(db: Database, tx_hashes: list[str], minted_at: datetime) -> int:
    """Chain-sync: orders one of whose recorded mint transactions is in `tx_hashes` are minted by it."""
    if not tx_hashes:
        return 0
    wanted = set(tx_hashes)
    found = db[NAME].find({"mintTxHashes": {"$in": tx_hashes}, "isMinted": {"$ne": True}}, {"mintTxHashes": 1})
    ops = [UpdateOne({"_id": doc["_id"]}, {"$set": {"isMinted": True, "orderMinted": minted_at, "status": "minted",
                                                    "tx_hash": next(h for h in doc["mintTxHashes"] if h in wanted)}})
           for doc in found]
    return db[NAME].bulk_write(ops, ordered=False).modified_count if ops else 0


def unmark_minted(db: Database, tx_hash: str) -> int:
    """Chain-sync after a reorg dropped the mint `tx_hash`: its orders are not minted (yet)."""
    update = {"$set": {"isMinted": False, "status": "settled"}, "$unset": {"orderMinted": "", "tx_hash": ""}}
    return db[NAME].update_many({"tx_hash": tx_hash}, update).modified_count


def of_user(db: Database, user_id, limit: int = 1000) -> list[dict]:
    """One investor's orders (the portfolio; by the (userId, createdAt) index, sorted in Python:
    FerretDB v1 does not push sorts down)."""
    return list(db[NAME].find({"userId": user_id}).limit(limit))


# --- Placement (app.domain.ordering): idempotent insert, state changes, the back office's pages ---
#
# The reservation counters (supply and per-investor holding) are in app/domain/reservations.py;
# an order counts against them while its status is one of HELD.

PENDING_PAYMENT, CANCELLED = "pending_payment", "cancelled"
STATUSES = ("pending_payment", "payment_review", "settled", "minted", "cancelled")
HELD = ("pending_payment", "payment_review", "settled", "minted")
PAGE_FIELDS = {"mintTxHashes": 0}


class DuplicateOrder(Exception):
    """The insert clashed with a unique key: `field` is idempotencyKey or paymentReference."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def insert_new(db: Database, doc: dict) -> None:
    """Insert a new order; raises DuplicateOrder naming the key that already exists."""
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        clash = db[NAME].count_documents({"idempotencyKey": doc["idempotencyKey"]}, limit=1)
        raise DuplicateOrder("idempotencyKey" if clash else "paymentReference") from None


def by_key(db: Database, idempotency_key: str) -> dict | None:
    return db[NAME].find_one({"idempotencyKey": idempotency_key})


def transition(db: Database, order_id, condition: dict, changes: dict) -> dict | None:
    """Change the order only while `condition` holds; the updated order or None."""
    return db[NAME].find_one_and_update({"_id": order_id, **condition}, {"$set": changes},
                                        return_document=ReturnDocument.AFTER)


def held(db: Database, offering_id) -> list[dict]:
    """Orders of the offering that hold tokens (placed and not cancelled), for recounting the reservations."""
    return list(db[NAME].find({"offeringId": offering_id, "status": {"$in": list(HELD)}},
                              {"userId": 1, "tokens": 1, "quantity": 1}))


def offering_ids(db: Database) -> list:
    return db[NAME].distinct("offeringId", {"status": {"$in": list(HELD)}})


def of_investor(db: Database, user_id, offering_id) -> list[dict]:
    return list(db[NAME].find({"userId": user_id, "offeringId": offering_id},
                              {"quantity": 1, "tokens": 1, "isMinted": 1, "status": 1}))


def page(db: Database, query: dict, before_id=None, limit: int = 50) -> list[dict]:
    """One page of orders, newest first, continuing below `before_id` (keyset: no skip over earlier pages)."""
    if before_id is not None:
        query = {**query, "_id": {"$lt": before_id}}
    return list(db[NAME].find(query, PAGE_FIELDS).sort("_id", -1).limit(limit))
