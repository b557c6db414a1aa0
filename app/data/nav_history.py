"""The `navHistory` collection: every NAV proposal of an offering with its evidence, pending, approved or rejected.

One document per proposal (never deleted): offeringId, navPerToken (cents per whole token), effectiveDate
(UTC midnight of the effective day), valuer, method, methodOther, reportUrl (the stored file's generated
name, under the offering's upload folder), reportHash (SHA-256 hex), reportSize, proposedBy, proposedAt,
previousNav, status (pending / approved / rejected), approvedBy, approvedAt, remark, rejectedBy, rejectedAt,
reason. The approved ones are also folded into the offering's `navHistory` array (the read model the offering
page and the portfolio read by `_id`). Writers hold the offering's lock (app/locks.py), which is what makes
"one pending proposal per offering" and "approve once" hold on FerretDB v1.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from app.data.indexes import ASC, DESC, Index

NAME = "navHistory"
INDEXES = (
    Index((("offeringId", ASC), ("effectiveDate", DESC))),
    Index((("status", ASC),)),
)
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


def insert(db, doc: dict) -> ObjectId:
    return db[NAME].insert_one(doc).inserted_id


def by_id(db, proposal_id: ObjectId) -> dict | None:
    return db[NAME].find_one({"_id": proposal_id})


def pending_of(db, offering_id: ObjectId) -> dict | None:
    return db[NAME].find_one({"offeringId": offering_id, "status": PENDING})


def of_offering(db, offering_id: ObjectId) -> list[dict]:
    """Every proposal of the offering, newest effective date first."""
    return list(db[NAME].find({"offeringId": offering_id}).sort([("effectiveDate", DESC), ("proposedAt", DESC)]))


def pending(db, limit: int = 200) -> list[dict]:
    """The proposals waiting for a decision, oldest first (the staff queue)."""
    return list(db[NAME].find({"status": PENDING}).sort("proposedAt", ASC).limit(limit))


def approve(db, proposal_id: ObjectId, approver_id: ObjectId, at: datetime, remark: str, previous_nav: int) -> bool:
    """Mark a pending proposal approved; False when it was not pending (the caller holds the offering's lock)."""
    done = db[NAME].update_one({"_id": proposal_id, "status": PENDING},
                               {"$set": {"status": APPROVED, "approvedBy": approver_id, "approvedAt": at,
                                         "remark": remark, "previousNav": previous_nav}})
    return done.modified_count == 1


def reject(db, proposal_id: ObjectId, checker_id: ObjectId, at: datetime, reason: str) -> bool:
    done = db[NAME].update_one({"_id": proposal_id, "status": PENDING},
                               {"$set": {"status": REJECTED, "rejectedBy": checker_id, "rejectedAt": at,
                                         "reason": reason}})
    return done.modified_count == 1
