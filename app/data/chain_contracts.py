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
