"""The `passwords` collection (seed: Password). The last password hashes of a user, so none of the
last five is reused.
"""

from __future__ import annotations

from bson import ObjectId
from pymongo.database import Database

from app.data.indexes import ASC, Index

NAME = "passwords"
INDEXES = (
    Index((("userId", ASC),), unique=True),
)


def history(db: Database, user_id: ObjectId) -> list[str]:
    """The user's recent password hashes, oldest first (seed field `passwords`)."""
    document = db[NAME].find_one({"userId": user_id}, {"passwords": 1})
    return list(document.get("passwords", [])) if document else []


def replace_history(db: Database, user_id: ObjectId, hashes: list[str]) -> None:
    db[NAME].update_one({"userId": user_id}, {"$set": {"passwords": list(hashes)}}, upsert=True)
