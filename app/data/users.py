"""The `users` collection (seed: Users): accounts, their verification, KYC and issuer state."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app import locks
from app.data.ids import parse_id
from app.data.indexes import ASC, Index

NAME = "users"
UNIQUE_FIELDS = ("email", "mobile")
INDEXES = (
    Index((("email", ASC),), unique=True),
    Index((("mobile", ASC),), unique=True),
    Index((("userType", ASC), ("isDeleted", ASC))),
    Index((("kycStatus", ASC),)),
    Index((("issuerStatus", ASC),)),
    Index((("kycApplicationId", ASC),)),
    Index((("uniqueId", ASC),), unique=True, sparse=True),  # the shareable Libertum ID (saved transfers)
)


class DuplicateUser(ValueError):
    """Another account already uses this email or mobile; `field` says which."""

    def __init__(self, field: str):
        super().__init__(f"an account with this {field} already exists")
        self.field = field


def insert(db: Database, user: dict) -> ObjectId:
    """Insert a new user; the unique indexes decide races between two sign-ups."""
    document = {"isActive": True, "isDeleted": False, "createdAt": datetime.now(UTC), **user}
    try:
        return db[NAME].insert_one(document).inserted_id
    except DuplicateKeyError as error:
        raise DuplicateUser(_duplicate_field(db, document, error)) from None


def _duplicate_field(db: Database, user: dict, error: DuplicateKeyError) -> str:
    """Which unique field collided: MongoDB names it in keyPattern, FerretDB does not, so ask the data."""
    key_pattern = (error.details or {}).get("keyPattern") or {}
    if key_pattern:
        return next(iter(key_pattern))
    for field in UNIQUE_FIELDS:
        if db[NAME].find_one({field: user.get(field)}, {"_id": 1}):
            return field
    return UNIQUE_FIELDS[0]


def by_email(db: Database, email: str) -> dict | None:
    return db[NAME].find_one({"email": str(email).strip().lower(), "isDeleted": False})


def by_id(db: Database, user_id: ObjectId) -> dict | None:
    return db[NAME].find_one({"_id": user_id})


def by_unique_id(db: Database, unique_id: str) -> dict | None:
    return db[NAME].find_one({"uniqueId": unique_id, "isDeleted": False}) if unique_id else None


def claim_unique_id(db: Database, user_id: ObjectId, unique_id: str) -> bool:
    """Give the user `unique_id` unless they have one; False when another user holds it (draw again)."""
    try:
        db[NAME].update_one({"_id": user_id, "uniqueId": {"$exists": False}}, {"$set": {"uniqueId": unique_id}})
    except DuplicateKeyError:
        return False
    return True


def by_mobile(db: Database, mobile: str) -> dict | None:
    return db[NAME].find_one({"mobile": str(mobile), "isDeleted": False})


def exists(db: Database, field: str, value: str) -> bool:
    """Whether any account (deleted ones too: the unique index still holds them) uses `value` for `field`."""
    if field not in UNIQUE_FIELDS:
        raise ValueError(f"{field} is not a unique user field")
    return db[NAME].find_one({field: str(value)}, {"_id": 1}) is not None


def set_fields(db: Database, user_id: ObjectId, values: dict) -> dict | None:
    """Set `values` on the user and return the updated document (None when no such user)."""
    return db[NAME].find_one_and_update({"_id": user_id}, {"$set": {**values, "updatedAt": datetime.now(UTC)}},
                                        return_document=ReturnDocument.AFTER)


def set_fields_locked(db: Database, user_id: ObjectId, values: dict) -> dict | None:
    """`set_fields` under the user's Redis lock (`user:<id>`), which every write of a user holds
    (app/locks.py): a KYC event, a deactivation or a sign-in's code check written at the same
    moment could otherwise put the document back as it was. Not for a caller holding it."""
    with locks.user(user_id):
        return set_fields(db, user_id, values)


def set_if(db: Database, user_id: ObjectId, condition: dict, values: dict) -> bool:
    """Set `values` only while `condition` holds on the document (single-document compare-and-set)."""
    result = db[NAME].update_one({"_id": user_id, **condition}, {"$set": values})
    return result.modified_count == 1


def use_totp_step(db: Database, user_id: ObjectId, step: int) -> bool:
    """Record `step` as the last accepted TOTP time step unless it (or a later one) was already used."""
    result = db[NAME].update_one(
        {"_id": user_id, "$or": [{"twoFALastStep": {"$lt": step}}, {"twoFALastStep": None}]},
        {"$set": {"twoFALastStep": step}})
    return result.modified_count == 1


def consume_recovery_code(db: Database, user_id: ObjectId, code_hash: str) -> bool:
    """Remove one recovery code hash; True only for the request that removed it (one-time use)."""
    result = db[NAME].update_one({"_id": user_id, "twoFARecoveryCodes": code_hash},
                                 {"$pull": {"twoFARecoveryCodes": code_hash}})
    return result.modified_count == 1


def search(db: Database, text: str = "", user_type: str = "", *, include_deleted: bool = True,
           limit: int = 50) -> list[dict]:
    """Users whose email, name, legal name or mobile contains `text` (case-insensitive), newest first."""
    query: dict = {}
    if text:
        pattern = {"$regex": re.escape(str(text)), "$options": "i"}
        query["$or"] = [{"email": pattern}, {"name": pattern}, {"legalFullName": pattern}, {"mobile": pattern}]
    if user_type:
        query["userType"] = str(user_type)
    if not include_deleted:
        query["isDeleted"] = False
    projection = {"password": 0, "twoFASecret": 0, "twoFARecoveryCodes": 0}
    return list(db[NAME].find(query, projection).sort("createdAt", -1).limit(limit))


def by_kyc_applicant(db: Database, applicant_id: str, external_user_id: str) -> dict | None:
    """The user of a KYC applicant: by the stored applicant id, else by the externalUserId we gave (our _id)."""
    if applicant_id:
        found = db[NAME].find_one({"kycApplicationId": applicant_id})
        if found:
            return found
    found = parse_id(external_user_id)
    return db[NAME].find_one({"_id": found}) if found else None


def apply_kyc_event(db: Database, user_id: ObjectId, event_at: str, values: dict, *, count: bool = False,
                    stamp: str | None = "kycEventAt", when: dict | None = None) -> bool:
    """Set KYC fields only if `event_at` is newer than the last applied event, in one update.

    A replay or an older event matches nothing; `count` adds one to kycCount in the same update. Decisions
    use the defaults (`kycEventAt`); a provider's stage event passes its own stamp field and filter
    (app.domain.onboarding.kyc_state: it never changes a decided state).
    """
    update: dict = {"$set": {**values, **({stamp: event_at} if stamp else {}), "updatedAt": datetime.now(UTC)}}
    if count:
        update["$inc"] = {"kycCount": 1}
    if when is None:
        when = {"$or": [{"kycEventAt": {"$exists": False}}, {"kycEventAt": {"$lt": event_at}}]}
    result = db[NAME].update_one({"_id": user_id, **when}, update)
    return result.modified_count == 1


def with_kyc_status(db: Database, status: str):
    """Users whose kycStatus is `status` (the re-KYC sweep walks the approved ones daily)."""
    return db[NAME].find({"kycStatus": status})


def set_onchain_id(db: Database, user_id: ObjectId, identity: str) -> None:
    db[NAME].update_one({"_id": user_id}, {"$set": {"onchainID": identity, "updatedAt": datetime.now(UTC)}})


def with_issuer_status(db: Database, status: str, limit: int = 100) -> list[dict]:
    projection = {"password": 0, "twoFASecret": 0, "twoFARecoveryCodes": 0}
    return list(db[NAME].find({"issuerStatus": status}, projection).sort("updatedAt", 1).limit(limit))


def count_issuer_status(db: Database, status: str, cap: int = 1000) -> int:
    """How many users have this issuerStatus (the back-office dashboard; capped)."""
    return db[NAME].count_documents({"issuerStatus": status}, limit=cap)


def residence_of(db: Database, user_ids: list[ObjectId]) -> dict[ObjectId, dict]:
    """User id -> {residenceCountry, email} for many users in one query (a distribution's holders)."""
    if not user_ids:
        return {}
    found = db[NAME].find({"_id": {"$in": list(set(user_ids))}}, {"residenceCountry": 1, "email": 1})
    return {doc["_id"]: doc for doc in found}
