"""The `bankStatements` collection: every bank statement file staff uploaded, refused ones included (for audit).

`_id` is the SHA-256 of the file's bytes, so the same file uploaded twice is one document: the
second insert is refused by the primary key (FerretDB v1's updates are not atomic, inserts are)
and nothing in it is applied again. The file itself is kept under UPLOAD_DIR/bank-statements/.
"""

from __future__ import annotations

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import DESC, Index

NAME = "bankStatements"
INDEXES = (Index((("uploadedAt", DESC),)),)
RECEIVED, PROCESSED, REFUSED = "received", "processed", "refused"


def insert_new(db: Database, doc: dict) -> bool:
    """Insert the statement; False when a file with the same hash was uploaded before."""
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


def get(db: Database, statement_id: str) -> dict | None:
    return db[NAME].find_one({"_id": statement_id})


def set_fields(db: Database, statement_id: str, fields: dict) -> None:
    db[NAME].update_one({"_id": statement_id}, {"$set": fields})


def note_duplicate(db: Database, statement_id: str, upload: dict) -> None:
    """Remember another upload of the same file (who and when), for the audit trail."""
    db[NAME].update_one({"_id": statement_id}, {"$push": {"reuploads": upload}})


def recent(db: Database, limit: int = 50) -> list[dict]:
    return list(db[NAME].find({}, {"reuploads": 0}).sort("uploadedAt", -1).limit(limit))
