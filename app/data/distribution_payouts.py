"""The `distributionPayouts` collection: the stablecoin payout batches of each distribution, and the on-chain key
that names a distribution in the DividendDistributor's events.

Two kinds of documents, both written by unique insert (exactly once, whoever writes them first):
- `payout:<distribution id>:<batch no>`: one batch = one `distribute` chain job of the same id; its lines
  (`lineIds`, `wallets`, `units` = stablecoin base units as decimal strings) are fixed when it is written;
  `supersededBy` names the retry batch of a failed one.
- `key:<0x bytes32>`: which distribution a chain key (keccak of the distribution id) stands for, so chain-sync
  can find the lines of a DividendPaid event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database

from app.data import amounts, bulk
from app.data.indexes import ASC, Index

NAME = "distributionPayouts"
INDEXES = (Index((("distributionId", ASC), ("batchNo", ASC))),)


def batch_id(distribution_id, batch_no: int) -> str:
    return f"payout:{distribution_id}:{batch_no}"


def note_key(db: Database, chain_key: str, distribution_id) -> None:
    bulk.insert_new(db[NAME], [{"_id": f"key:{chain_key.lower()}", "kind": "key", "distributionId": distribution_id,
                                "createdAt": datetime.now(UTC)}])


def distribution_of_key(db: Database, chain_key: str):
    doc = db[NAME].find_one({"_id": f"key:{chain_key.lower()}"})
    return doc["distributionId"] if doc else None


def insert_batches(db: Database, batches: list[dict]) -> None:
    """Record new batches ({_id, distributionId, batchNo, chainKey, lineIds, wallets, units: [int]}); ids already
    recorded keep their first record."""
    now = datetime.now(UTC)
    bulk.insert_new(db[NAME], [{**b, "kind": "batch", "units": [amounts.store(u) for u in b["units"]],
                                "createdAt": now} for b in batches])


def batches_of(db: Database, distribution_id) -> list[dict]:
    docs = db[NAME].find({"distributionId": distribution_id, "kind": "batch"}).sort("batchNo", ASC)
    return [{**d, "units": [amounts.load(u) for u in d["units"]]} for d in docs]


def supersede(db: Database, batch: str, by: str) -> None:
    db[NAME].update_one({"_id": batch, "supersededBy": None}, {"$set": {"supersededBy": by}})
