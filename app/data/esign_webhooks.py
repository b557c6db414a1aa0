"""The `esignWebhooks` collection: every verified e-signature (Connect) delivery, keyed by the message it carries.

Why keyed by envelope, event and generatedDateTime: Connect retries a message it thinks was
not received (with another retryCount in the body), and the same message must be applied
once. The job notes what it did with each one (applied, stale, unknownEnvelope), which is
what an operator reads when the provider says it delivered something.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, DESC, Index

NAME = "esignWebhooks"
INDEXES = (
    Index((("envelopeId", ASC), ("eventAt", DESC))),
    Index((("receivedAt", DESC),)),
)

QUEUED, APPLIED, STALE, UNKNOWN_ENVELOPE = "queued", "applied", "stale", "unknownEnvelope"


def record(db: Database, delivery_id: str, envelope_id: str, event: str, event_at: datetime, payload: dict) -> bool:
    """Store a verified delivery; False when this message was received before (a replay or a retry)."""
    document = {"_id": delivery_id, "envelopeId": envelope_id, "event": event, "eventAt": event_at,
                "payload": payload, "outcome": QUEUED, "receivedAt": datetime.now(UTC)}
    try:
        db[NAME].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def forget(db: Database, delivery_id: str) -> None:
    """Drop a delivery we could not enqueue, so the provider's retry is accepted."""
    db[NAME].delete_one({"_id": delivery_id, "outcome": QUEUED})


def get(db: Database, delivery_id: str) -> dict | None:
    return db[NAME].find_one({"_id": delivery_id})


def set_outcome(db: Database, delivery_id: str, outcome: str) -> None:
    db[NAME].update_one({"_id": delivery_id}, {"$set": {"outcome": outcome, "processedAt": datetime.now(UTC)}})


def recent(db: Database, limit: int = 50) -> list[dict]:
    return list(db[NAME].find({}, {"payload": 0}).sort("receivedAt", -1).limit(limit))
