"""The `users` collection (seed: Users): accounts, their verification, KYC and issuer state."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, Index

NAME = "users"
UNIQUE_FIELDS = ("email", "mobile")
INDEXES = (
    Index((("email", ASC),), unique=True),
    Index((("mobile", ASC),), unique=True),
    Index((("userType", ASC), ("isDeleted", ASC))),
    Index((("kycStatus", ASC),)),
    Index((("issuerStatus", ASC),)),
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
