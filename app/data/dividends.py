"""The `dividends` collection (seed: Dividend): one line per holder per distribution, written at the record-date
snapshot (app/domain/distributions/snapshot.py) and paid by the payout (payout.py, fiat.py).

`_id` is "<distribution id>:<wallet>" and (distributionId, walletAddress) is unique, so the snapshot writes each
line once however often it runs. `balance` is in token base units, stored as a decimal string (app/data/amounts.py);
the money fields are integer cents.
"""

from __future__ import annotations

from pymongo.database import Database

from app.data import amounts, bulk
from app.data.indexes import ASC, DESC, Index

NAME = "dividends"
INDEXES = (
    Index((("offeringId", ASC), ("recordDate", DESC))),
    Index((("walletAddress", ASC),)),
    Index((("issuerId", ASC),)),
    Index((("distributionId", ASC), ("walletAddress", ASC)), unique=True, sparse=True),
    Index((("userId", ASC),)),
    Index((("status", ASC),)),  # the payout sweep's held lines (distributions_held)
)
_AMOUNTS = ("balance",)


def line_id(distribution_id, wallet: str) -> str:
    return f"{distribution_id}:{wallet}"


def of_wallets(db, wallets: list[str]) -> list[dict]:
    """Dividends paid or due to the wallets (the portfolio; the `walletAddress` index, one query)."""
    return [_decoded(d) for d in db[NAME].find({"walletAddress": {"$in": wallets}})] if wallets else []


def insert_lines(db: Database, lines: list[dict]) -> int:
    """Insert the snapshot's lines not written yet (by `_id`); returns how many were new."""
    docs = [amounts.encode(line, _AMOUNTS) for line in lines]
    return len(docs) - len(bulk.insert_new(db[NAME], docs))


def of_distribution(db: Database, distribution_id) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"distributionId": distribution_id}).sort("walletAddress", ASC)]


def of_user(db: Database, user_id) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"userId": user_id}).sort("recordDate", DESC)]


# Payout (engineer H): status moves of the lines, each a conditional update under the distribution's lock.
DECLARED, SCHEDULED, PAID, HELD, REORGED = "declared", "scheduled", "paid", "held", "reorged"
_CHUNK = 100  # ids per update command (FerretDB v1 holds a connection per open statement)


def set_status(db: Database, line_ids: list[str], from_statuses: tuple[str, ...], changes: dict) -> int:
    """Move the lines still in one of `from_statuses` (the caller holds the distribution's lock); returns how many."""
    moved = 0
    for start in range(0, len(line_ids), _CHUNK):
        moved += db[NAME].update_many({"_id": {"$in": line_ids[start:start + _CHUNK]},
                                       "status": {"$in": list(from_statuses)}},
                                      {"$set": changes}).modified_count
    return moved


def with_status(db: Database, line_ids: list[str], statuses: tuple[str, ...]) -> list[dict]:
    """Which of the lines are in one of `statuses` now (ids and their `payAttempt` only)."""
    found = []
    for start in range(0, len(line_ids), _CHUNK):
        found += db[NAME].find({"_id": {"$in": line_ids[start:start + _CHUNK]}, "status": {"$in": list(statuses)}},
                               {"_id": 1, "payAttempt": 1})
    return found


def by_id(db: Database, line: str) -> dict | None:
    doc = db[NAME].find_one({"_id": line})
    return _decoded(doc) if doc else None


def count_open(db: Database, distribution_id) -> int:
    """Lines of the distribution not yet paid or held (declared, scheduled or reorged)."""
    return db[NAME].count_documents({"distributionId": distribution_id,
                                     "status": {"$in": [DECLARED, SCHEDULED, REORGED]}})


def reopen(db: Database, line: str, from_status: str, attempt: int, changes: dict) -> bool:
    """A held or reorged line back to "declared" as attempt `attempt + 1`, if it is still `from_status` at
    `attempt` (the caller holds the distribution's lock); False when someone moved it first."""
    query = {"_id": line, "status": from_status,
             "payAttempt": attempt if attempt else {"$exists": False}}
    return db[NAME].update_one(query, {"$set": {**changes, "status": DECLARED,
                                                "payAttempt": attempt + 1}}).modified_count == 1


def distributions_held(db: Database, reasons: tuple[str, ...]) -> list:
    """Distributions having lines held for one of `reasons` (the payout sweep's frozen-wallet check)."""
    found = db[NAME].find({"status": HELD, "heldReason": {"$in": list(reasons)}}, {"distributionId": 1})
    return sorted({d["distributionId"] for d in found}, key=str)


def _decoded(doc: dict) -> dict:
    return amounts.decode(doc, _AMOUNTS)
