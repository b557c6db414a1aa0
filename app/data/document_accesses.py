"""The `documentAccesses` collection: which investor opened which version of an offering's document.

Append-only (the dashboard's access log; an issuer's evidence of what each investor saw). The version is
the stored file's name: every upload is stored under a new name, so a replaced document is a new version.
"""

from __future__ import annotations

from pymongo.database import Database

from app.data.indexes import ASC, DESC, Index

NAME = "documentAccesses"
INDEXES = (Index((("offeringId", ASC), ("at", DESC))),)


def insert(db: Database, entry: dict) -> None:
    db[NAME].insert_one(dict(entry))


def of_offering(db: Database, offering_id, limit: int = 200) -> list[dict]:
    """The offering's latest accesses, newest first."""
    return list(db[NAME].find({"offeringId": offering_id}).sort("at", -1).limit(limit))
