"""The `distributions` collection: one document per declared distribution (docs/distributions.md for the fields).

Amounts are integer cents (BSON int64 holds any realistic sum of money); status changes are conditional updates
made under the distribution's named lock (app/locks.py), since FerretDB v1 updates are not isolated.
"""

from __future__ import annotations

from bson import ObjectId
from pymongo.database import Database

from app.data.indexes import ASC, DESC, Index

NAME = "distributions"
INDEXES = (
    Index((("offeringId", ASC), ("createdAt", DESC))),
    Index((("issuerId", ASC),)),
    Index((("status", ASC), ("recordDate", ASC))),
)


def insert(db: Database, doc: dict) -> ObjectId:
    return db[NAME].insert_one(doc).inserted_id


def by_id(db: Database, distribution_id: ObjectId) -> dict | None:
    return db[NAME].find_one({"_id": distribution_id})


def of_offering(db: Database, offering_id: ObjectId) -> list[dict]:
    return list(db[NAME].find({"offeringId": offering_id}).sort("createdAt", DESC))


def listing(db: Database, status: str = "", limit: int = 500) -> list[dict]:
    query = {"status": status} if status else {}
    return list(db[NAME].find(query).sort("createdAt", DESC).limit(limit))


def count_status(db: Database, status: str, cap: int = 1000) -> int:
    return db[NAME].count_documents({"status": status}, limit=cap)


def with_status(db: Database, status: str) -> list[dict]:
    return list(db[NAME].find({"status": status}))


def transition(db: Database, distribution_id: ObjectId, from_status: str, changes: dict) -> bool:
    """Move one distribution from `from_status` (the caller holds its lock); False when it was not there."""
    return db[NAME].update_one({"_id": distribution_id, "status": from_status}, {"$set": changes}).modified_count == 1
