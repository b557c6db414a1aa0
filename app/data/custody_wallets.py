"""The `custodyWallets` collection: platform-held wallets' encrypted keys, one per investor.

`_id` is the investor's user id, so creating a held wallet is a unique insert: two requests at
once (a double click, two tabs) keep the first key and the second reads it back. The private
key is stored only sealed (app.domain.custody.keys: AES-256-GCM, the user id as associated
data, with the data key's id and the scheme's version for rotation); nothing here decrypts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, Index

NAME = "custodyWallets"
INDEXES = (Index((("address", ASC),), unique=True),)
# what a page may read: never the sealed key
PUBLIC_FIELDS = {"address": 1, "userId": 1, "createdAt": 1, "keyId": 1, "keyVersion": 1}


def insert_first(db: Database, user_id: ObjectId, address: str, sealed: dict) -> dict:
    """Store the wallet unless the user has one already; returns the stored one (first writer wins)."""
    doc = {"_id": user_id, "userId": user_id, "address": address, **sealed, "createdAt": datetime.now(UTC)}
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        return db[NAME].find_one({"_id": user_id})
    return doc


def of_user(db: Database, user_id: ObjectId) -> dict | None:
    """The user's held wallet without its sealed key (what pages and services outside signing need)."""
    return db[NAME].find_one({"_id": user_id}, PUBLIC_FIELDS)


def sealed_of_user(db: Database, user_id: ObjectId) -> dict | None:
    """The whole document, sealed key included: for app.domain.custody only."""
    return db[NAME].find_one({"_id": user_id})


def reseal(db: Database, user_id: ObjectId, old_key_id: str, sealed: dict) -> bool:
    """Replace the sealed key after a rotation, only if it is still sealed with `old_key_id`."""
    result = db[NAME].update_one({"_id": user_id, "keyId": old_key_id},
                                 {"$set": {**sealed, "resealedAt": datetime.now(UTC)}})
    return result.modified_count == 1


def all_ids(db: Database) -> list[ObjectId]:
    return [doc["_id"] for doc in db[NAME].find({}, {"_id": 1})]
