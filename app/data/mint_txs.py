"""The `mintTxs` collection: every transaction a mint job signed, by hash, with the orders it mints.

An order's freeze or unfreeze job records its transactions here too (with that one order), so
chain-sync confirms the order's `isFreezed` from the token's event the same way it marks mints.

Why: chain-sync sees a mint by its transaction hash and must find the orders it settles.
Recording the hash here (one insert per signed transaction, before its broadcast) instead
of on every order keeps a 100-order batch at one write, and chain-sync finds the orders
by `_id` lookups, which FerretDB v1 answers without scanning.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

NAME = "mintTxs"
INDEXES = ()


def note(db: Database, tx_hash: str, job_id: str, order_ids: list) -> None:
    """Remember that `tx_hash` (signed, not yet broadcast) mints `order_ids` for `job_id`; once."""
    with contextlib.suppress(DuplicateKeyError):  # the same bytes recorded again after a crash: same orders
        db[NAME].insert_one({"_id": tx_hash, "jobId": job_id, "orderIds": list(order_ids),
                             "signedAt": datetime.now(UTC)})


def jobs_by_tx(db: Database, tx_hashes: list[str]) -> dict[str, dict]:
    """{tx hash: {jobId, orderIds}} for the hashes that are order jobs' transactions (mints, an order's freeze)."""
    found = {}
    for tx_hash in tx_hashes:
        doc = db[NAME].find_one({"_id": tx_hash}, {"jobId": 1, "orderIds": 1})
        if doc:
            found[tx_hash] = doc
    return found


def orders_by_tx(db: Database, tx_hashes: list[str]) -> dict[str, list]:
    """{tx hash: order ids} for the hashes that are mint jobs' transactions (others are absent)."""
    found = {}
    for tx_hash in tx_hashes:
        doc = db[NAME].find_one({"_id": tx_hash}, {"orderIds": 1})
        if doc:
            found[tx_hash] = doc["orderIds"]
    return found
