"""The `chainCheckpoints` collection: where the chain monitor stopped, and the recent blocks it saw.

Recent blocks (number, hash, contracts with logs) let the monitor detect a reorg after a
restart and retract exactly the logs it had published for the dropped blocks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database

NAME = "chainCheckpoints"
INDEXES = ()


def load(db: Database, monitor_id: str) -> dict | None:
    return db[NAME].find_one({"_id": monitor_id})


def save(db: Database, monitor_id: str, height: int, recent_blocks: list[dict]) -> None:
    """Record that every block up to `height` is published; `recent_blocks` are {number, hash, addresses}."""
    db[NAME].update_one({"_id": monitor_id},
                        {"$set": {"height": height, "recentBlocks": recent_blocks,
                                  "updatedAt": datetime.now(UTC)}},
                        upsert=True)
