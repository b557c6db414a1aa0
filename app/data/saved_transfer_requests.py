"""The `savetransferrequets` collection (seed: SaveTransferRequet). Transfers between two platform
users, saved by the sender and confirmed (or declined) by the recipient before any review.

Seed fields: fromUserId, toUserId, offeringId, registeredName (the sender's registered name, what the
recipient reads), uniqueId (the recipient's Libertum ID the sender typed, app.domain.transfers.unique_ids),
remark, tokenQuantity (token base units: a decimal string here, an int in Python, app/data/amounts.py).
The platform adds `status` (app.domain.transfers.rules: awaitingRecipient, confirmed, declined,
withdrawn), `fromWallet`, `securityName`, `tokenDecimals`, `transferRequestId` once confirmed.

The seed's unique index on uniqueId would allow one saved transfer per recipient for ever, so the
index here is plain, and `flask db init` drops the unique one an older version made (RETIRED_INDEXES).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database

from app.data import amounts
from app.data.indexes import ASC, Index

NAME = "savetransferrequets"
INDEXES = (
    Index((("fromUserId", ASC),)),
    Index((("toUserId", ASC),)),
    Index((("offeringId", ASC),)),
    Index((("uniqueId", ASC),)),
)
RETIRED_INDEXES = ("u_uniqueId_1",)
_AMOUNTS = ("tokenQuantity",)


def insert(db: Database, doc: dict) -> dict:
    doc = {"_id": ObjectId(), **doc, "createdAt": datetime.now(UTC)}
    db[NAME].insert_one(amounts.encode(dict(doc), _AMOUNTS))
    return doc


def by_id(db: Database, saved_id: ObjectId) -> dict | None:
    return _decoded(db[NAME].find_one({"_id": saved_id}))


def sent_by(db: Database, user_id: ObjectId, limit: int = 100) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"fromUserId": user_id}).sort("_id", -1).limit(limit)]


def received_by(db: Database, user_id: ObjectId, limit: int = 100) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"toUserId": user_id}).sort("_id", -1).limit(limit)]


def transition(db: Database, saved_id: ObjectId, from_status: str, changes: dict) -> bool:
    """Move from `from_status` only (callers hold locks.transfer_request on the saved id)."""
    return db[NAME].update_one({"_id": saved_id, "status": from_status},
                               {"$set": {**changes, "updatedAt": datetime.now(UTC)}}).modified_count == 1


def _decoded(doc: dict | None) -> dict | None:
    return amounts.decode(doc, _AMOUNTS)
