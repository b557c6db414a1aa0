"""The `kycWebhooks` collection: every KYC provider webhook received, keyed by the digest of its raw body.

Why keyed by the body's digest: a replayed delivery (the same signed bytes again) collides on
`_id`, so recording it fails and nothing is enqueued twice. The job notes here what it did
with each event (applied, stale, ignored, unknownApplicant), which is what an operator reads
when a provider says it delivered something.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, DESC, Index

NAME = "kycWebhooks"
INDEXES = (
    Index((("applicantId", ASC), ("eventAt", DESC))),
    Index((("outcome", ASC), ("receivedAt", DESC))),
)

QUEUED, APPLIED, STALE, IGNORED, UNKNOWN_APPLICANT = "queued", "applied", "stale", "ignored", "unknownApplicant"


def record(db: Database, event_id: str, payload: dict, event_at: str) -> bool:
    """Store a verified delivery; False when these exact bytes were received before (a replay)."""
    document = {"_id": event_id, "applicantId": str(payload.get("applicantId") or ""),
                "externalUserId": str(payload.get("externalUserId") or ""), "type": str(payload.get("type") or ""),
                "eventAt": event_at, "payload": payload, "outcome": QUEUED, "receivedAt": datetime.now(UTC)}
    try:
        db[NAME].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def forget(db: Database, event_id: str) -> None:
    """Drop a delivery we could not enqueue, so the provider's retry is accepted."""
    db[NAME].delete_one({"_id": event_id, "outcome": QUEUED})


def get(db: Database, event_id: str) -> dict | None:
    return db[NAME].find_one({"_id": event_id})


def set_outcome(db: Database, event_id: str, outcome: str, user_id=None) -> None:
    db[NAME].update_one({"_id": event_id}, {"$set": {"outcome": outcome, "userId": user_id,
                                                     "processedAt": datetime.now(UTC)}})


def recent(db: Database, limit: int = 50) -> list[dict]:
    return list(db[NAME].find({}, {"payload": 0}).sort("receivedAt", -1).limit(limit))
