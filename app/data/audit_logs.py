"""The `auditLogs` collection: security events (sign-up, sign-in, 2FA, passwords, roles, deactivation).

Append-only: nothing here updates or deletes an entry.
"""

from __future__ import annotations

import re
from datetime import datetime

from bson import ObjectId
from pymongo.database import Database

from app.data.indexes import ASC, DESC, Index

NAME = "auditLogs"
INDEXES = (
    Index((("at", DESC),)),
    Index((("event", ASC), ("at", DESC))),
    Index((("subjectId", ASC), ("at", DESC))),
)


def insert(db: Database, entry: dict) -> ObjectId:
    return db[NAME].insert_one(dict(entry)).inserted_id


def search(db: Database, *, event: str = "", email: str = "", since: datetime | None = None,
           limit: int = 100) -> list[dict]:
    """Newest first; `event` exact, `email` a case-insensitive part of the actor's or subject's email."""
    query: dict = {}
    if event:
        query["event"] = str(event)
    if email:
        pattern = {"$regex": re.escape(str(email)), "$options": "i"}
        query["$or"] = [{"actorEmail": pattern}, {"subjectEmail": pattern}]
    if since is not None:
        query["at"] = {"$gte": since}
    return list(db[NAME].find(query).sort("at", -1).limit(limit))


def of_account(db: Database, account_id: str, limit: int = 200) -> list[dict]:
    """Entries about one account or done by it (a staff member's decisions too), newest first: the user file."""
    return list(db[NAME].find({"$or": [{"subjectId": str(account_id)}, {"actorId": str(account_id)}]})
                .sort("at", -1).limit(limit))
