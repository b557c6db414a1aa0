"""The `chainJobs` collection: one document per on-chain operation, keyed by its natural id.

Why: exactly-once chain jobs. The intent (the call to make) is stored under a natural key
such as `mint:<orderIds digest>` before anything is sent, and every signed transaction is
pushed here before it is broadcast. Who may drive a job is decided by a Redis lease
(app.domain.platform.chain_jobs, app/locks.py), not here: a lease taken with
`find_one_and_update` was granted to several workers at once (app/locks.py says why). The
lease fields written here (`leaseOwner`, `leaseUntil`) are the lease holder's record for
display and for the next holder's check; only the holder of the Redis lease writes to an open
job, so its updates never race each other.
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


def record_lease(db: Database, job_id: str, owner: str, lease_seconds: float) -> dict | None:
    """Note the holder of the job's Redis lease and return the job as it is now (read after the lease)."""
    until = datetime.now(UTC) + timedelta(seconds=lease_seconds)
    return db[NAME].find_one_and_update({"_id": job_id}, {"$set": {"leaseOwner": owner, "leaseUntil": until}},
                                        return_document=ReturnDocument.AFTER)


def renew(db: Database, job_id: str, owner: str, lease_seconds: float) -> None:
    """Move the recorded lease end with the Redis lease (the caller holds it)."""
    db[NAME].update_one({"_id": job_id, "leaseOwner": owner},
                        {"$set": {"leaseUntil": datetime.now(UTC) + timedelta(seconds=lease_seconds)}})


def add_tx(db: Database, job_id: str, owner: str, tx: dict, lease_seconds: float) -> bool:
    """Record a signed transaction before its broadcast, with the renewed lease's end; False if closed or not ours."""
    now = datetime.now(UTC)
    result = db[NAME].update_one({"_id": job_id, "leaseOwner": owner, "status": {"$in": list(OPEN)}},
                                 {"$push": {"txs": {**tx, "signedAt": now}},
                                  "$set": {"status": SENT, "leaseUntil": now + timedelta(seconds=lease_seconds)}})
    return result.matched_count == 1


def clear_lease(db: Database, job_id: str, owner: str) -> None:
    """The holder let go of an open job (it raised): the next worker need not wait for `leaseUntil`."""
    db[NAME].update_one({"_id": job_id, "leaseOwner": owner}, {"$unset": {"leaseOwner": "", "leaseUntil": ""}})


def finish(db: Database, job_id: str, status: str, **fields) -> None:
    """Close the job (done or failed); later runs see it closed and return at once."""
    db[NAME].update_one({"_id": job_id, "status": {"$in": list(OPEN)}},
                        {"$set": {"status": status, "finishedAt": datetime.now(UTC), **fields},
                         "$unset": {"leaseOwner": "", "leaseUntil": ""}})


def open_ids(db: Database) -> list[str]:
    """Jobs not yet done or failed, oldest first (to re-enqueue after an outage)."""
    return [d["_id"] for d in db[NAME].find({"status": {"$in": list(OPEN)}}, {"_id": 1}).sort("createdAt", 1)]


def note(db: Database, job_id: str, **fields) -> None:
    """Fields about a closed job's aftermath (a failed mint's split or hold); the job itself is not reopened."""
    db[NAME].update_one({"_id": job_id}, {"$set": fields})


def latest_attempt(db: Database, job_id: str, limit: int = 50) -> str:
    """The job to drive for the intent first recorded as `job_id`: itself, or the retry staff sent in its place
    (`retriedAs`, followed). Why: a natural key's failed job never runs again, so an area re-running its steps
    (the investor identity path) must follow the retry instead of finding the failure again."""
    for _ in range(limit):
        job = db[NAME].find_one({"_id": job_id}, {"retriedAs": 1})
        if not job or not job.get("retriedAs"):
            break
        job_id = job["retriedAs"]
    return job_id


def failed_unrecovered_mints(db: Database) -> list[str]:
    """Failed mint jobs whose split or hold was not recorded (their worker died after the failure)."""
    return [d["_id"] for d in db[NAME].find({"status": FAILED, "op": "mint", "orderIds": {"$exists": True},
                                                  "recovered": {"$ne": True}}, {"_id": 1})]


def count_by_status(db: Database) -> dict[str, int]:
    """How many jobs are in each state (the metrics and the System page)."""
    return {status: db[NAME].count_documents({"status": status}) for status in (PENDING, SENT, DONE, FAILED)}


def of_op(db: Database, op: str, limit: int = 200, **fields) -> list[dict]:
    """Jobs of one operation with these reference fields (an offering's conversions), newest first."""
    return list(db[NAME].find({"op": op, **fields}).sort("createdAt", -1).limit(limit))
