"""The `chainContracts` collection: every contract address the chain monitor watches.

Seeded from the platform bootstrap and grown as the factories announce new token suites
and identities, so the monitor resumes with the same set after a restart.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import UpdateOne
from pymongo.database import Database

from app.data.indexes import ASC, Index

NAME = "chainContracts"
INDEXES = (Index((("chainId", ASC), ("kind", ASC))),)


def add(db: Database, chain_id: int, contracts: dict[str, str], source: str) -> None:
    """Watch `contracts` ({address: kind}); re-adding an address changes nothing."""
    if not contracts:
        return
    now = datetime.now(UTC)
    db[NAME].bulk_write([UpdateOne({"_id": f"{chain_id}:{address}"},
                                   {"$setOnInsert": {"chainId": chain_id, "address": address, "kind": kind,
                                                     "source": source, "addedAt": now}},
                                   upsert=True)
                         for address, kind in contracts.items()], ordered=False)


def addresses(db: Database, chain_id: int) -> dict[str, str]:
    return {d["address"]: d["kind"] for d in db[NAME].find({"chainId": chain_id})}


def add_awaiting_monitor(db: Database, chain_id: int, address: str, kind: str, source: str) -> None:
    """Watch a contract the platform deployed itself (an offering's ERC-20, which no factory announces); the
    running monitor takes it in at its next look (`pending`) and says so (`acknowledge`). Idempotent."""
    db[NAME].update_one({"_id": f"{chain_id}:{address}"},
                        {"$setOnInsert": {"chainId": chain_id, "address": address, "kind": kind, "source": source,
                                          "addedAt": datetime.now(UTC), "watching": False}}, upsert=True)


def pending(db: Database, chain_id: int) -> dict[str, str]:
    """Contracts added by `add_awaiting_monitor` that the monitor has not acknowledged yet."""
    return {d["address"]: d["kind"] for d in db[NAME].find({"chainId": chain_id, "watching": False})}


def acknowledge(db: Database, chain_id: int, addresses_: list[str], height: int) -> None:
    """The monitor watches these from the block after `height` on (every later log of theirs is published)."""
    for address in addresses_:
        db[NAME].update_one({"_id": f"{chain_id}:{address}"}, {"$set": {"watching": True, "watchedAfter": height}})


def is_watched(db: Database, chain_id: int, address: str) -> bool:
    doc = db[NAME].find_one({"_id": f"{chain_id}:{address}"}, {"watching": 1})
    return bool(doc) and doc.get("watching", True)
