"""The `offerings` collection (seed: Offering). Real-estate offerings from draft to deployed token."""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "offerings"
INDEXES = (
    Index((("userId", ASC),)),
    Index((("status", ASC), ("isActive", ASC))),
    Index((("tokenAddress", ASC),)),
    Index((("projectDetails.taId", ASC),)),
    Index((("createdBy", ASC),)),
)

LIVE_STATUS = "live"


def live(db, limit: int) -> list[dict]:
    """Active, non-deleted live offerings, newest first."""
    cursor = db[NAME].find({"status": LIVE_STATUS, "isActive": True, "isDelete": {"$ne": True}},
                           {"overview.title": 1, "overview.location": 1})
    return list(cursor.sort("_id", -1).limit(limit))


def token_address(db, offering_id) -> str | None:
    """The offering's deployed token (seed: tokenAddress), or None before deployment."""
    doc = db[NAME].find_one({"_id": offering_id}, {"tokenAddress": 1})
    return (doc or {}).get("tokenAddress")
