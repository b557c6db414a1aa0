"""The `demoRuns` collection: one document, `_id` "demo", written when `flask demo seed` completed.

Its presence makes the next run a no-op (the first `make run` seeds, later ones do not), so a demo
account someone edited or an order they cancelled is never recreated behind their back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

NAME = "demoRuns"
MARKER = "demo"


def completed(db: Database) -> dict | None:
    return db[NAME].find_one({"_id": MARKER})


def mark_completed(db: Database, summary: dict) -> bool:
    """Record the completed demo (first writer wins); False when it was recorded already."""
    try:
        db[NAME].insert_one({"_id": MARKER, "completedAt": datetime.now(UTC), **summary})
    except DuplicateKeyError:
        return False
    return True
