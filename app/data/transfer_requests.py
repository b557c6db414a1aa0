"""The `transferrequets` collection (seed: TransferRequet). Investor transfer requests and forced transfers.

Seed fields: userId, offeringId, securityName, registeredName, reason, status, isForceTransfer,
registeredEmailId, walletAddress, newRegisteredName, newRegisteredEmailId, newWalletAddress,
tokenQuantity (token base units: a decimal string here, an int in Python, app/data/amounts.py),
remark. The platform adds `kind`, `createdBy` (the maker, who may not approve it), `openKey`
(set while the request is open: unique, so one wallet has one open request per offering and a
double submit finds the first), the decision (`decidedBy`, `decidedAt`) and the chain jobs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data import amounts
from app.data.indexes import ASC, Index

NAME = "transferrequets"
INDEXES = (
    Index((("userId", ASC),)),
    Index((("offeringId", ASC), ("status", ASC))),
    Index((("openKey", ASC),), unique=True, sparse=True),
    Index((("toUserId", ASC),)),  # the receiving investor's view (set once the receiver is known)
)
PENDING, APPROVED, COMPLETED, REJECTED, FAILED = "pending", "approved", "completed", "rejected", "failed"
OPEN = (PENDING, APPROVED)
_AMOUNTS = ("tokenQuantity",)


def open_key(wallet: str, offering_id: ObjectId) -> str:
    return f"{wallet}:{offering_id}"


def _key_of(doc: dict) -> str:
    """A request's open key: its own `requestKey` when its kind names one (a saved transfer's id: one wallet may
    have several open), else one open request per wallet and offering."""
    return doc.get("requestKey") or open_key(doc["walletAddress"], doc["offeringId"])


def insert_open(db: Database, doc: dict) -> dict:
    """Insert an open request; when one is already open under the same key, return that one."""
    doc = {"_id": ObjectId(), **doc, "openKey": _key_of(doc),
           "createdAt": datetime.now(UTC)}
    try:
        db[NAME].insert_one(amounts.encode(doc, _AMOUNTS))
    except DuplicateKeyError:
        return _decoded(db[NAME].find_one({"openKey": doc["openKey"]}))
    return doc


def by_id(db: Database, request_id: ObjectId) -> dict | None:
    return _decoded(db[NAME].find_one({"_id": request_id}))


def of_user(db: Database, user_id: ObjectId, limit: int = 100) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"userId": user_id}).sort("_id", -1).limit(limit)]


def to_user(db: Database, user_id: ObjectId, limit: int = 100) -> list[dict]:
    """Requests whose tokens go to this investor (another investor's transfer, a new owner's registration)."""
    return [_decoded(d) for d in db[NAME].find({"toUserId": user_id}).sort("_id", -1).limit(limit)]


def listing(db: Database, status: str = "", limit: int = 200, offering_ids: list | None = None) -> list[dict]:
    """The back office's list, newest first, optionally one status, optionally of some offerings only."""
    query = {"status": status} if status else {}
    if offering_ids is not None:
        query["offeringId"] = {"$in": list(offering_ids)}
    return [_decoded(d) for d in db[NAME].find(query).sort("_id", -1).limit(limit)]


def transition(db: Database, request_id: ObjectId, from_status: str, changes: dict, *, close: bool = False) -> bool:
    """Move the request from `from_status` (the rule stated; callers hold locks.transfer_request);
    `close` frees its open key for a later request."""
    update = {"$set": {**changes, "updatedAt": datetime.now(UTC)}}
    if close:
        update["$unset"] = {"openKey": ""}
    return db[NAME].update_one({"_id": request_id, "status": from_status}, update).modified_count == 1


def reopen(db: Database, request: dict) -> bool:
    """failed -> approved again, with its open key back (staff sent its failed chain step again; callers hold
    locks.transfer_request). False when it is not failed, or the holding has another open request now."""
    try:
        result = db[NAME].update_one({"_id": request["_id"], "status": FAILED},
                                     {"$set": {"status": APPROVED, "updatedAt": datetime.now(UTC),
                                               "openKey": _key_of(request)},
                                      "$unset": {"error": ""}})
    except DuplicateKeyError:
        return False
    return result.modified_count == 1


def note(db: Database, request_id: ObjectId, **fields) -> None:
    """Record progress (chain job ids) without a state change."""
    db[NAME].update_one({"_id": request_id}, {"$set": fields})


def _decoded(doc: dict | None) -> dict | None:
    return amounts.decode(doc, _AMOUNTS)


def count_status(db: Database, status: str, cap: int) -> int:
    """How many requests have `status`, counted up to `cap` (the dashboard's queue)."""
    return db[NAME].count_documents({"status": status}, limit=cap)
