"""The `mailKeys` collection: which event already has its mail in the outbox, so each is mailed exactly once.

`_id` is the event's key (such as "order-placed:<order id>"), `messageId` the outbox message. The insert is the
claim: the unique `_id` lets one writer win however many retries, workers or chain-sync replays send it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

NAME = "mailKeys"


def claim(db: Database, key: str, message_id: ObjectId) -> ObjectId | None:
    """Record `message_id` as the mail of `key`; None if it was claimed, else the message that holds it."""
    try:
        db[NAME].insert_one({"_id": key, "messageId": message_id, "at": datetime.now(UTC)})
    except DuplicateKeyError:
        found = db[NAME].find_one({"_id": key})
        return found["messageId"] if found else message_id
    return None


def claimed(db: Database, key: str) -> bool:
    """Whether the event `key` has had its mail (a later mail may depend on it: only who was told hears the end)."""
    return db[NAME].count_documents({"_id": key}, limit=1) == 1
