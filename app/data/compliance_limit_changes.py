"""The `complianceLimitChanges` collection: who changed which compliance limit of an offering, from what to what and
why, and how its chain jobs ended.

One document per change, never deleted, keyed by its natural key `compliance-limit:<offering>:<limit>:<n>` (n counts
that limit's changes of that offering from 1), which is also the id of its chain job: a unique insert, so a change is
recorded once. Fields: offeringId, limit, module (the module's address), compliance, oldValue and newValue (canonical
decimal strings, app/data/amounts.py: base units, investors or seconds), decimals, reason, byId, byEmail, byName,
requestedAt, steps ([{jobId, op, call}]: binding the module first when the token has none, then the setting),
status (pending / confirmed / failed), confirmedAt, txHash, blockNumber, error. Writers hold the offering's lock
(app/locks.py), which is what keeps one pending change per limit on FerretDB v1.
"""

from __future__ import annotations

from bson import ObjectId
from pymongo.database import Database

from app.data import amounts
from app.data.indexes import ASC, DESC, Index

NAME = "complianceLimitChanges"
INDEXES = (Index((("offeringId", ASC), ("requestedAt", DESC))),)
PENDING, CONFIRMED, FAILED = "pending", "confirmed", "failed"
_AMOUNTS = ("oldValue", "newValue")


def change_id(offering_id, limit: str, n: int) -> str:
    return f"compliance-limit:{offering_id}:{limit}:{n}"


def insert(db: Database, doc: dict) -> None:
    """Record a change (DuplicateKeyError when its key is taken: the caller holds the offering's lock)."""
    db[NAME].insert_one({**doc, "oldValue": amounts.store(doc["oldValue"]),
                         "newValue": amounts.store(doc["newValue"])})


def get(db: Database, key: str) -> dict | None:
    return amounts.decode(db[NAME].find_one({"_id": key}), _AMOUNTS)


def of_offering(db: Database, offering_id: ObjectId, limit: int = 200) -> list[dict]:
    """The offering's changes, newest first (the page's history)."""
    found = db[NAME].find({"offeringId": offering_id}).sort("requestedAt", DESC).limit(limit)
    return [amounts.decode(doc, _AMOUNTS) for doc in found]


def count_of(db: Database, offering_id: ObjectId, limit_key: str) -> int:
    return db[NAME].count_documents({"offeringId": offering_id, "limit": limit_key})


def pending_of(db: Database, offering_id: ObjectId) -> list[dict]:
    return [amounts.decode(doc, _AMOUNTS) for doc in db[NAME].find({"offeringId": offering_id, "status": PENDING})]


def pending_ids(db: Database, limit: int = 1000) -> list[str]:
    """Every pending change's key (what `flask chain requeue` enqueues again)."""
    return [doc["_id"] for doc in db[NAME].find({"status": PENDING}, {"_id": 1}).limit(limit)]


def pending_since(db: Database, before, limit: int = 1000) -> list[str]:
    """The keys of changes pending since before `before`, oldest first (what the minute sweep looks at)."""
    found = db[NAME].find({"status": PENDING, "requestedAt": {"$lte": before}}, {"_id": 1}).sort("requestedAt", ASC)
    return [doc["_id"] for doc in found.limit(limit)]


def finish(db: Database, key: str, status: str, fields: dict) -> bool:
    """pending -> confirmed | failed, once; False when it was not pending any more."""
    done = db[NAME].update_one({"_id": key, "status": PENDING}, {"$set": {"status": status, **fields}})
    return done.modified_count == 1
