"""The `chainDeployments` collection: the platform's contract addresses per chain (one document per chain id)."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database

NAME = "chainDeployments"
INDEXES = ()


def load(db: Database, chain_id: int) -> dict | None:
    doc = db[NAME].find_one({"_id": chain_id})
    return doc["record"] if doc else None


def save(db: Database, chain_id: int, record: dict) -> None:
    db[NAME].update_one({"_id": chain_id}, {"$set": {"record": record, "updatedAt": datetime.now(UTC)}},
                        upsert=True)
