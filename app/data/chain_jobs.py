"""The `chainJobs` collection: one document per on-chain operation, keyed by its natural id.

Why: exactly-once chain jobs. The intent (the call to make) is stored under a natural key
such as `mint:<orderIds digest>` before anything is sent, every signed transaction is pushed
here before it is broadcast, and a lease with a fencing owner keeps two workers from
driving the same job at once. FerretDB has no transactions, so every step is one
conditional single-document update.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data import bulk
from app.data.indexes import ASC, Index

NAME = "chainJobs"
INDEXES = (Index((("status", ASC), ("createdAt", ASC))), Index((("orderIds", ASC),)))

PENDING, SENT, DONE, FAILED = "pending", "sent", "done", "failed"
OPEN = (PENDING, SENT)


def create(db: Database, job_id: str, op: str, call: dict, **refs) -> dict:
    """Record the intent once; a second create with the same id returns the first record unchanged."""
    doc = {"_id": job_id, "op": op, "call": call, "status": PENDING, "txs": [], "createdAt": datetime.now(UTC),
           **refs}
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        return db[NAME].find_one({"_id": job_id})
    return doc


def create_many(db: Database, jobs: list[dict]) -> None:
    """Record several intents ({_id, op, call, **refs}) in one insert; ids already recorded keep their record."""
    now = datetime.now(UTC)
    bulk.insert_new(db[NAME], [{**job, "status": PENDING, "txs": [], "createdAt": now} for job in jobs])


def existing(db: Database, job_ids: list[str]) -> set[str]:
    """Which of `job_ids` are recorded (lookups by `_id`: FerretDB v1 scans for anything else)."""
    return {job_id for job_id in job_ids if db[NAME].find_one({"_id": job_id}, {"_id": 1})}


def get(db: Database, job_id: str) -> dict | None:
    return db[NAME].find_one({"_id": job_id})


def acquire(db: Database, job_id: str, owner: str, lease_seconds: float) -> dict | None:
    """Take the job's lease if it is open and nobody live holds it; the job document, or None."""
    now = datetime.now(UTC)
    return db[NAME].find_one_and_update(
        {"_id": job_id, "status": {"$in": list(OPEN)},
         "$or": [{"leaseUntil": {"$exists": False}}, {"leaseUntil": {"$lt": now}}, {"leaseOwner": owner}]},
        {"$set": {"leaseOwner": owner, "leaseUntil": now + timedelta(seconds=lease_seconds)}},
        return_document=ReturnDocument.AFTER)


def renew(db: Database, job_id: str, owner: str, lease_seconds: float) -> bool:
    """Extend our lease; False when another worker took the job over (we must stop driving it)."""
    result = db[NAME].update_one({"_id": job_id, "leaseOwner": owner},
                                 {"$set": {"leaseUntil": datetime.now(UTC) + timedelta(seconds=lease_seconds)}})
    return result.matched_count == 1


def add_tx(db: Database, job_id: str, owner: str, tx: dict) -> bool:
    """Record a signed transaction before its broadcast; False (nothing written) if we lost the lease."""
    result = db[NAME].update_one({"_id": job_id, "leaseOwner": owner, "status": {"$in": list(OPEN)}},
                                 {"$push": {"txs": {**tx, "signedAt": datetime.now(UTC)}}, "$set": {"status": SENT}})
    return result.matched_count == 1


def finish(db: Database, job_id: str, status: str, **fields) -> None:
    """Close the job (done or failed); later runs see it closed and return at once."""
    db[NAME].update_one({"_id": job_id, "status": {"$in": list(OPEN)}},
                        {"$set": {"status": status, "finishedAt": datetime.now(UTC), **fields},
                         "$unset": {"leaseOwner": "", "leaseUntil": ""}})


def open_ids(db: Database) -> list[str]:
    """Jobs not yet done or failed, oldest first (to re-enqueue after an outage)."""
    return [d["_id"] for d in db[NAME].find({"status": {"$in": list(OPEN)}}, {"_id": 1}).sort("createdAt", 1)]
