"""The `chainEvents` collection: the event store of decoded chain logs, one document per log.

`_id` is the event id `chainId:blockHash:logIndex`, so applying a message twice is a no-op
and a log from a block that a reorg dropped keeps its own id (it is marked retracted).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.database import Database

from app.data import amounts, bulk
from app.data.indexes import ASC, Index

NAME = "chainEvents"
INDEXES = (
    Index((("address", ASC), ("blockNumber", ASC), ("logIndex", ASC))),
    Index((("blockHash", ASC), ("address", ASC))),
    Index((("event", ASC), ("blockNumber", ASC))),
    Index((("transactionHash", ASC),)),
    # the portfolio's transactions record: a holder's events by the argument naming them
    Index((("args.to", ASC),)),
    Index((("args.from", ASC),)),
    Index((("args._userAddress", ASC),)),
)


def storable(event: dict) -> dict:
    """Event fields as stored: integer args become decimal strings (uint256 exceeds BSON's int64,
    app/data/amounts.py); readers take them with int(), knowing which arguments are numbers."""
    args = {k: amounts.store(int(v)) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in (event.get("args") or {}).items()}
    return {**{k: v for k, v in event.items() if k not in ("id", "kind")}, "args": args}


def store(db: Database, events: list[dict]) -> int:
    """Insert events not seen before (by id) and mark them canonical; returns how many were new.

    New events go in with one insert (FerretDB: one SQLite transaction per 100 documents);
    only ids already stored are touched again, one by one.
    """
    if not events:
        return 0
    now = datetime.now(UTC)
    docs = [{"_id": e["id"], **storable(e), "storedAt": now, "retracted": False} for e in events]
    seen = bulk.insert_new(db[NAME], docs)
    # `retracted: False` is set again on a replay, not only inserted: a block can return to
    # the canonical chain after a reorg back, and messages of one contract arrive in chain
    # order. An unchanged document is not rewritten.
    bulk.write(db[NAME], [UpdateOne({"_id": event_id}, {"$set": {"retracted": False}}) for event_id in seen])
    return len(docs) - len(seen)


def retract_block(db: Database, address: str, block_hash: str) -> int:
    """Mark every event of `address` in the dropped block `block_hash` as retracted."""
    result = db[NAME].update_many({"address": address, "blockHash": block_hash, "retracted": False},
                                  {"$set": {"retracted": True, "retractedAt": datetime.now(UTC)}})
    return result.modified_count


def live_for_address(db: Database, address: str) -> list[dict]:
    """Events of one contract still on the canonical chain, in chain order."""
    return list(db[NAME].find({"address": address, "retracted": False}).sort([("blockNumber", 1), ("logIndex", 1)]))


def in_block(db: Database, address: str, block_hash: str) -> list[dict]:
    """Every event of `address` in block `block_hash`, retracted or not (a replayed retraction needs them too)."""
    return list(db[NAME].find({"address": address, "blockHash": block_hash}))


# Which event argument names a holder, per token event (the portfolio's transactions record).
WALLET_ARGS = ("args.to", "args.from", "args._userAddress")


def of_wallets(db: Database, wallets: list[str]) -> list[dict]:
    """Live events naming one of `wallets` as receiver, sender or frozen address, in one query: MongoDB
    answers each `$or` branch from its index; FerretDB v1 (SQLite) pushes down only `{_id: value}`
    filters, so any other query is one scan of the collection, and one query is one scan, not three."""
    if not wallets:
        return []
    query = {"$or": [{field: {"$in": wallets}} for field in WALLET_ARGS], "retracted": False}
    return list(db[NAME].find(query))


def transfer_of_tx(db: Database, tx_hash: str) -> dict | None:
    """The live Transfer event of transaction `tx_hash` (a holder's transfer from the portfolio), args as stored."""
    return db[NAME].find_one({"transactionHash": tx_hash.lower(), "event": "Transfer", "retracted": False})
