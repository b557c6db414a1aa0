"""The `parkedEvents` collection: Kafka messages a consumer could not apply, kept for staff and for replay.

`_id` is the message's own id (`chainId:blockHash:logIndex`, `retract:...`) or, for a message
without one, `topic:partition:offset`; parking the same message again (a replay of the
uncommitted batch) is a no-op. The message is kept as its JSON text, exactly as it came:
its integers may exceed BSON's int64 and its keys are not ours to choose. `kind` says why:
`failed` (its handler raised), `held` (an earlier message of the same contract is parked:
app/events/parking.py) or `rejected` (undecodable or malformed). `status` moves from
`parked` to `replayed` or `discarded`, each once.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, Index

NAME = "parkedEvents"
INDEXES = (Index((("status", ASC), ("address", ASC), ("partition", ASC), ("offset", ASC))),)
PARKED, REPLAYED, DISCARDED = "parked", "replayed", "discarded"
FAILED, HELD, REJECTED = "failed", "held", "rejected"


def park(db: Database, doc: dict) -> bool:
    """Insert a parked message ({_id, topic, partition, offset, key, address, value, kind, error, trace,
    heldBehind}); False when it was parked before."""
    with contextlib.suppress(DuplicateKeyError):
        db[NAME].insert_one({**doc, "status": PARKED, "parkedAt": datetime.now(UTC), "attempts": 0})
        return True
    return False


def get(db: Database, parked_id: str) -> dict | None:
    return db[NAME].find_one({"_id": parked_id})


def waiting(db: Database, address: str | None = None, limit: int = 1000) -> list[dict]:
    """Parked messages still waiting, in the order they were consumed (partition, offset)."""
    query = {"status": PARKED, **({"address": address} if address is not None else {})}
    return list(db[NAME].find(query).sort([("partition", ASC), ("offset", ASC)]).limit(limit))


def closed(db: Database, limit: int = 50) -> list[dict]:
    """The latest replayed or discarded, newest first."""
    return list(db[NAME].find({"status": {"$ne": PARKED}}).sort([("closedAt", -1)]).limit(limit))


def count_waiting(db: Database) -> int:
    return db[NAME].count_documents({"status": PARKED})


def close(db: Database, parked_id: str, status: str, note: str = "") -> bool:
    """Mark a waiting message replayed or discarded; False if it was not waiting (closed once)."""
    result = db[NAME].update_one({"_id": parked_id, "status": PARKED},
                                 {"$set": {"status": status, "closedAt": datetime.now(UTC), "closeNote": note}})
    return result.modified_count == 1


def failed_again(db: Database, parked_id: str, error: str, trace: str) -> None:
    """A replay failed: the message stays parked with the newest error; it now heads its contract's line."""
    db[NAME].update_one({"_id": parked_id, "status": PARKED},
                        {"$set": {"kind": FAILED, "error": error, "trace": trace, "lastTriedAt": datetime.now(UTC)},
                         "$inc": {"attempts": 1}})
