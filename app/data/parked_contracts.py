"""The `parkedContracts` collection: one document per contract that has a parked event, `_id` = its address.

Why a collection of its own: the consumer asks "is this contract's line held?" for each
address of every batch, and FerretDB v1 answers only an `_id` equality without scanning
the collection (a query on `parkedEvents.address` would read every parked event). Inserted when a contract's
first event is parked, deleted when the replay has applied all of them; both under the
contract's `parked:<address>` lock (app/events/parking.py).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

NAME = "parkedContracts"
INDEXES = ()


def held(db: Database, addresses: list[str]) -> set[str]:
    return {a for a in addresses if db[NAME].find_one({"_id": a}, {"_id": 1})}


def hold(db: Database, address: str, head: str) -> None:
    """Hold `address`'s later events behind the parked event `head` (kept if already held)."""
    with contextlib.suppress(DuplicateKeyError):
        db[NAME].insert_one({"_id": address, "head": head, "since": datetime.now(UTC)})


def release(db: Database, address: str) -> None:
    db[NAME].delete_one({"_id": address})


def all_held(db: Database) -> list[dict]:
    return list(db[NAME].find({}))
