"""The `userdetails` collection (seed: userDetails). KYC/KYB data of one user: main information,
institution, wallets, documents.

One document per user (unique userId). Wizard saves are conditional on `isFinalSubmission`
being false, so a submitted application cannot change under a reviewer's eyes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.database import Database

from app.data.indexes import ASC, Index

NAME = "userdetails"
INDEXES = (
    Index((("userId", ASC),), unique=True),
    Index((("wallets.address", ASC),)),
    Index((("isFinalSubmission", ASC),)),
)


def get(db: Database, user_id: ObjectId) -> dict | None:
    return db[NAME].find_one({"userId": user_id})


def ensure(db: Database, user_id: ObjectId) -> dict:
    """The user's details, created empty on first use (the unique index settles a race)."""
    return db[NAME].find_one_and_update(
        {"userId": user_id},
        {"$setOnInsert": {"userId": user_id, "kycSteps": 0, "isFinalSubmission": False, "wallets": [],
                          "createdAt": datetime.now(UTC)}},
        upsert=True, return_document=ReturnDocument.AFTER)


def save_open(db: Database, user_id: ObjectId, values: dict) -> bool:
    """Set `values` (dotted paths allowed) unless the application is submitted; False when locked."""
    result = db[NAME].update_one({"userId": user_id, "isFinalSubmission": {"$ne": True}},
                                 {"$set": {**values, "updatedAt": datetime.now(UTC)}})
    return result.matched_count == 1


def save_any(db: Database, user_id: ObjectId, values: dict) -> None:
    """Set platform-owned fields (provider links, review notes) whatever the lock."""
    db[NAME].update_one({"userId": user_id}, {"$set": values})


def lock(db: Database, user_id: ObjectId) -> bool:
    """Final submission: True only for the request that locked it."""
    result = db[NAME].update_one({"userId": user_id, "isFinalSubmission": {"$ne": True}},
                                 {"$set": {"isFinalSubmission": True, "submittedAt": datetime.now(UTC)}})
    return result.modified_count == 1


def unlock(db: Database, user_id: ObjectId, steps: list[str] | None = None) -> None:
    """Open the application again (rejection with retry, or a reviewer asking for changes to `steps`)."""
    db[NAME].update_one({"userId": user_id}, {"$set": {"isFinalSubmission": False, "changesRequested": steps or []}})


def verified_wallets(db: Database, user_id: ObjectId) -> list[str]:
    details = db[NAME].find_one({"userId": user_id}, {"wallets": 1}) or {}
    return [w["address"] for w in details.get("wallets") or () if w.get("isVerify")]


def add_verified_wallet(db: Database, user_id: ObjectId, address: str, wallet_type: str,
                        custody: str | None = None) -> None:
    """Record a proven wallet once (proving it again only refreshes its time).

    `custody="platform"` marks a wallet whose key the platform holds (app.domain.custody); a wallet
    the investor proved by signature has no `custody` field."""
    ensure(db, user_id)
    now = datetime.now(UTC)
    entry = {"type": wallet_type, "address": address, "timestamp": now, "isVerify": True}
    if custody:
        entry["custody"] = custody

    def change(wallets: list[dict]) -> list[dict]:
        if any(w.get("address") == address for w in wallets):
            return [{**w, "isVerify": True, "timestamp": now} if w.get("address") == address else w for w in wallets]
        return [*wallets, entry]

    _update_wallets(db, user_id, change)


def _update_wallets(db: Database, user_id: ObjectId, change, attempts: int = 5) -> None:
    """Compare-and-set of the whole wallets list on a version counter (FerretDB v1 has no positional `$`
    updates and no equality match on arrays of documents)."""
    for _ in range(attempts):
        found = db[NAME].find_one({"userId": user_id}, {"wallets": 1, "walletsVersion": 1}) or {}
        version = found.get("walletsVersion")
        condition = {"walletsVersion": version} if version is not None else {"walletsVersion": {"$exists": False}}
        result = db[NAME].update_one({"userId": user_id, **condition},
                                     {"$set": {"wallets": change(found.get("wallets") or [])},
                                      "$inc": {"walletsVersion": 1}})
        if result.matched_count == 1:
            return
    raise RuntimeError(f"wallets of user {user_id} kept changing; try again")


def wallets_of(db: Database, user_id: ObjectId) -> list[dict]:
    """The user's wallet entries (address, isVerify, custody, onchainID)."""
    details = db[NAME].find_one({"userId": user_id}, {"wallets": 1}) or {}
    return list(details.get("wallets") or ())


def wallet_owner(db: Database, address: str) -> ObjectId | None:
    # only proven wallets are ever stored, so matching the address is enough ($elemMatch with field
    # conditions is not in FerretDB v1)
    found = db[NAME].find_one({"wallets.address": address}, {"userId": 1})
    return found["userId"] if found else None


def set_wallet_identity(db: Database, user_id: ObjectId, address: str, identity: str) -> None:
    _update_wallets(db, user_id, lambda wallets: [{**w, "onchainID": identity} if w.get("address") == address
                                                  else w for w in wallets])


def submitted(db: Database, limit: int = 100) -> list[dict]:
    """Applications waiting for a reviewer, oldest submission first."""
    return list(db[NAME].find({"isFinalSubmission": True}).sort("submittedAt", 1).limit(limit))


def count_submitted(db: Database, cap: int = 1000) -> int:
    """How many applications wait for a reviewer (the back-office dashboard; capped)."""
    return db[NAME].count_documents({"isFinalSubmission": True}, limit=cap)


def owners_of(db: Database, addresses: list[str]) -> dict[str, ObjectId]:
    """Wallet address -> owning user for many wallets in one query (a distribution's holders)."""
    if not addresses:
        return {}
    wanted, owners = set(addresses), {}
    for details in db[NAME].find({"wallets.address": {"$in": list(wanted)}}, {"userId": 1, "wallets.address": 1}):
        for wallet in details.get("wallets") or ():
            if wallet.get("address") in wanted:
                owners[wallet["address"]] = details["userId"]
    return owners
