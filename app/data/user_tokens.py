"""The `userTokens` collection: single-use, expiring tokens sent by mail (email verification, password reset).

Only a SHA-256 of the token is stored (`_id`), so a database read does not hand out working links.
A token is consumed by one conditional update, so two clicks at once cannot both succeed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database

from app.data.indexes import ASC, Index

NAME = "userTokens"
INDEXES = (
    Index((("userId", ASC), ("purpose", ASC))),
)


def insert(db: Database, token_hash: str, user_id: ObjectId, purpose: str, expires_at: datetime) -> None:
    db[NAME].insert_one({"_id": token_hash, "userId": user_id, "purpose": purpose, "expiresAt": expires_at,
                         "usedAt": None, "createdAt": datetime.now(UTC)})


def find(db: Database, token_hash: str, purpose: str) -> dict | None:
    return db[NAME].find_one({"_id": str(token_hash), "purpose": purpose})


def mark_used(db: Database, token_hash: str) -> bool:
    """True only for the one request that flipped the token from unused to used."""
    result = db[NAME].update_one({"_id": str(token_hash), "usedAt": None}, {"$set": {"usedAt": datetime.now(UTC)}})
    return result.modified_count == 1


def retire_unused(db: Database, user_id: ObjectId, purpose: str) -> None:
    """Mark the user's other outstanding tokens of `purpose` as used (a reset ends earlier reset links)."""
    db[NAME].update_many({"userId": user_id, "purpose": purpose, "usedAt": None},
                         {"$set": {"usedAt": datetime.now(UTC)}})
