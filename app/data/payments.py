"""The `payments` collection: every stablecoin transfer to a receiving address, matched or not.

`_id` is the settlement key `crypto:<txHash>:<logIndex>`, so a transfer delivered twice
(Kafka replay, a second chain-sync) is one document. `orderId` is set once, by a
conditional update, before the order is credited; a transfer no order fits stays
`unmatched` for an admin instead of being lost; a reorg marks it `retracted`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.database import Database

from app.data.indexes import ASC, DESC, Index

NAME = "payments"
INDEXES = (Index((("status", ASC), ("receivedAt", DESC))), Index((("orderId", ASC),)), Index((("from", ASC),)))

MATCHED, UNMATCHED, RETRACTED = "matched", "unmatched", "retracted"


def record(db: Database, key: str, transfer: dict) -> dict:
    """The payment document for `key`, inserted from `transfer` the first time."""
    return db[NAME].find_one_and_update(
        {"_id": key}, {"$setOnInsert": {**transfer, "status": "new", "receivedAt": datetime.now(UTC)}},
        upsert=True, return_document=ReturnDocument.AFTER)


def assign(db: Database, key: str, order_id) -> dict:
    """Tie the payment to `order_id` unless it is tied already; the document after (its `orderId` wins)."""
    db[NAME].update_one({"_id": key, "orderId": {"$exists": False}},
                        {"$set": {"orderId": order_id, "status": MATCHED}})
    return db[NAME].find_one({"_id": key})


def set_status(db: Database, key: str, status: str, reason: str | None = None) -> None:
    db[NAME].update_one({"_id": key}, {"$set": {"status": status, "reason": reason, "updatedAt": datetime.now(UTC)}})


def get(db: Database, key: str) -> dict | None:
    return db[NAME].find_one({"_id": key})


def unmatched(db: Database, limit: int = 200) -> list[dict]:
    """Transfers no order took, for the admin (newest first)."""
    return list(db[NAME].find({"status": UNMATCHED}).sort("receivedAt", -1).limit(limit))
