"""The `holderTransfers` collection: transfers an investor signed from the portfolio, keyed by transaction hash.

`_id` is the transaction hash (lower case), so recording the same transfer again (a retried request, a second tab)
keeps the first document. `status` goes pending -> done (chain-sync applied its Transfer) or pending -> failed (the
transaction reverted); each move is one conditional single-document update, so whichever writer comes second
changes nothing. `amount` is base units as a decimal string (app/data/amounts.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data import amounts
from app.data.indexes import ASC, DESC, Index

NAME = "holderTransfers"
INDEXES = (Index((("fromUserId", ASC), ("createdAt", DESC))), Index((("toWallet", ASC),)))
PENDING, DONE, FAILED = "pending", "done", "failed"
AMOUNT_FIELDS = ("amount",)


def _decoded(doc: dict | None) -> dict | None:
    return amounts.decode(doc, AMOUNT_FIELDS)


def record(db: Database, tx_hash: str, fields: dict) -> dict:
    """Insert the transfer `tx_hash` as pending; the stored document (the first one, if it was recorded before)."""
    doc = {"_id": tx_hash, "txHash": tx_hash, **amounts.encode(fields, AMOUNT_FIELDS), "status": PENDING,
           "createdAt": datetime.now(UTC)}
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        return get(db, tx_hash)
    return _decoded(doc)


def get(db: Database, tx_hash: str) -> dict | None:
    return _decoded(db[NAME].find_one({"_id": tx_hash}))


def by_hashes(db: Database, tx_hashes: list[str]) -> list[dict]:
    if not tx_hashes:
        return []
    return [_decoded(d) for d in db[NAME].find({"_id": {"$in": tx_hashes}})]


def mark_done(db: Database, tx_hash: str, landed: dict) -> bool:
    """Pending (or failed: a reorg can bring a transaction back) -> done with what the chain says it moved
    (`to`, `amount`, `blockNumber`, `toUserId`); False when it was done already."""
    fields = {**amounts.encode(landed, AMOUNT_FIELDS), "status": DONE, "landedAt": datetime.now(UTC)}
    result = db[NAME].update_one({"_id": tx_hash, "status": {"$ne": DONE}}, {"$set": fields})
    return result.modified_count == 1


def mark_failed(db: Database, tx_hash: str, reason: str) -> bool:
    result = db[NAME].update_one({"_id": tx_hash, "status": PENDING},
                                 {"$set": {"status": FAILED, "failure": reason, "failedAt": datetime.now(UTC)}})
    return result.modified_count == 1


def mark_pending(db: Database, tx_hash: str) -> bool:
    """Done -> pending again: a reorg dropped the block of its Transfer."""
    result = db[NAME].update_one({"_id": tx_hash, "status": DONE}, {"$set": {"status": PENDING},
                                                                    "$unset": {"landedAt": "", "blockNumber": ""}})
    return result.modified_count == 1


def of_sender(db: Database, user_id, limit: int = 20) -> list[dict]:
    """The user's latest recorded transfers, newest first (the send page lists them)."""
    return [_decoded(d) for d in db[NAME].find({"fromUserId": user_id}).sort("createdAt", -1).limit(limit)]


def of_party(db: Database, user_id, wallets: list[str], limit: int = 50) -> list[dict]:
    """Transfers the user sent, or sent to one of `wallets` (pending ones have no `toUserId` yet), newest first."""
    parties = [{"fromUserId": user_id}] + ([{"toWallet": {"$in": wallets}}] if wallets else [])
    return [_decoded(d) for d in db[NAME].find({"$or": parties}).sort("createdAt", -1).limit(limit)]
