"""The `outbox` collection: every mail and SMS the platform sends, written before the send job is enqueued.

The job receives the message id, reloads it and marks it sent, so a retried job never sends twice
after a success, and a message whose job was lost is still visible here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database

from app.data.indexes import ASC, DESC, Index

NAME = "outbox"
INDEXES = (
    Index((("sentAt", ASC), ("createdAt", DESC))),
)


def insert(db: Database, channel: str, to: str, subject: str, body: str, user_id: ObjectId | None,
           html: str = "") -> ObjectId:
    """`body` is the plain text (the SMS, or a mail's text part); `html` a mail's HTML alternative."""
    return db[NAME].insert_one({"channel": channel, "to": to, "subject": subject, "body": body, "html": html or None,
                                "userId": user_id, "sentAt": None, "attempts": 0,
                                "createdAt": datetime.now(UTC)}).inserted_id


def discard_unsent(db: Database, message_id: ObjectId) -> None:
    """Drop a message never enqueued (its event was mailed already: app/data/mail_keys.py)."""
    db[NAME].delete_one({"_id": message_id, "sentAt": None})


def by_id(db: Database, message_id: ObjectId) -> dict | None:
    return db[NAME].find_one({"_id": message_id})


def count_attempt(db: Database, message_id: ObjectId) -> None:
    db[NAME].update_one({"_id": message_id}, {"$inc": {"attempts": 1}})


def mark_sent(db: Database, message_id: ObjectId) -> bool:
    result = db[NAME].update_one({"_id": message_id, "sentAt": None}, {"$set": {"sentAt": datetime.now(UTC)}})
    return result.modified_count == 1


def backlog(db: Database) -> dict[str, int]:
    """Unsent messages per channel (the metrics and the System page)."""
    counts: dict[str, int] = {}
    for doc in db[NAME].find({"sentAt": None}, {"channel": 1}):
        counts[doc.get("channel", "unknown")] = counts.get(doc.get("channel", "unknown"), 0) + 1
    return counts
