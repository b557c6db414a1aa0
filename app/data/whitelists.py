"""The `whitelists` collection (seed: Whitelist). An investor's request to invest in one offering,
with its e-signature and approvals.

One document per (userId, offeringId), unique. Every change of state is one conditional
update made under `locks.whitelist` (app/locks.py), so two requests, two reviewers or a late
webhook cannot both win. Names and emails are copied in at request time for the back-office
list (no `$lookup`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, DESC, Index

NAME = "whitelists"
INDEXES = (
    Index((("userId", ASC), ("offeringId", ASC)), unique=True),
    Index((("offeringId", ASC), ("status", ASC))),
    Index((("envelopeId", ASC),)),
    Index((("status", ASC), ("requestedAt", DESC))),
)

APPROVED = "approved"
REMOVED = "removed"


def is_approved(db, user_id, offering_id) -> bool:
    """Whether the investor's whitelisting for this offering is approved (by admin and transfer agent)."""
    return db[NAME].count_documents({"userId": user_id, "offeringId": offering_id, "status": APPROVED}, limit=1) > 0


def ids_of_wallet(db, offering_ids: list, wallet: str) -> list:
    """Requests of these offerings for this wallet (chain-sync then updates each under its lock)."""
    if not offering_ids:
        return []
    return [d["_id"] for d in db[NAME].find({"offeringId": {"$in": offering_ids}, "address": wallet}, {"_id": 1})]


def set_registered(db, whitelist_id, registered: bool) -> None:
    """Chain-sync: whether the whitelisted wallet is in the offering's identity registry on chain.

    A request an admin approved becomes `approved` here, from the synced registration: the
    investor is approved (and may order) only once the registry on chain holds the wallet.
    The wallet's removal from the registry turns an approved request `removed` (ordering checks
    `approved`, so the investor can no longer order); registering it again approves it again.
    The caller holds the request's lock (app/locks.py).
    """
    db[NAME].update_one({"_id": whitelist_id}, {"$set": {"onChainRegistered": registered}})
    if registered:
        db[NAME].update_one({"_id": whitelist_id, "adminStatus": APPROVED, "status": {"$in": ["signed", REMOVED]}},
                            {"$set": {"status": APPROVED, "approvedAt": datetime.now(UTC)}})
    else:
        db[NAME].update_one({"_id": whitelist_id, "status": APPROVED},
                            {"$set": {"status": REMOVED, "removedAt": datetime.now(UTC)}})


def get(db: Database, whitelist_id) -> dict | None:
    return db[NAME].find_one({"_id": whitelist_id})


def of_user(db: Database, user_id, offering_id) -> dict | None:
    return db[NAME].find_one({"userId": user_id, "offeringId": offering_id})


def insert_new(db: Database, doc: dict) -> bool:
    """The first request of this investor for this offering; False when one exists (a double request)."""
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


def reopen(db: Database, whitelist_id, from_statuses: tuple[str, ...], fields: dict) -> bool:
    """Ask again after a decline or an expiry: only one of two simultaneous requests reopens it."""
    result = db[NAME].update_one({"_id": whitelist_id, "status": {"$in": list(from_statuses)}},
                                 {"$set": fields, "$unset": {"esignEventAt": "", "declineReason": ""}})
    return result.modified_count == 1


def attach_envelope(db: Database, whitelist_id, request_id: str, fields: dict) -> bool:
    """Record the envelope created for request `request_id` (unless a newer request took over)."""
    result = db[NAME].update_one({"_id": whitelist_id, "requestId": request_id}, {"$set": fields})
    return result.modified_count == 1


def release(db: Database, whitelist_id, request_id: str, restore: dict | None) -> None:
    """Undo a request whose envelope could not be created: delete a new one, restore a reopened one."""
    condition = {"_id": whitelist_id, "requestId": request_id, "envelopeId": None}
    if restore is None:
        db[NAME].delete_one(condition)
    else:
        db[NAME].update_one(condition, {"$set": restore})


def apply_esign_event(db: Database, envelope_id: str, at: datetime, values: dict,
                      open_statuses: tuple[str, ...]) -> bool:
    """Set the e-signature fields only if `at` is newer than the last applied event, in one update.

    A replay or an older event matches nothing; so does an event for an envelope a newer request
    replaced, and one arriving after the request was decided.
    """
    result = db[NAME].update_one(
        {"envelopeId": envelope_id, "status": {"$in": list(open_statuses)}, "adminStatus": {"$exists": False},
         "$or": [{"esignEventAt": {"$exists": False}}, {"esignEventAt": {"$lt": at}}]},
        {"$set": {**values, "esignEventAt": at, "updatedAt": datetime.now(UTC)}})
    return result.modified_count == 1


def by_envelope(db: Database, envelope_id: str) -> dict | None:
    return db[NAME].find_one({"envelopeId": envelope_id})


def decide(db: Database, whitelist_id, condition: dict, fields: dict) -> dict | None:
    """A reviewer's decision, applied only while `condition` holds; the updated document or None."""
    return db[NAME].find_one_and_update({"_id": whitelist_id, **condition},
                                        {"$set": {**fields, "updatedAt": datetime.now(UTC)}},
                                        return_document=ReturnDocument.AFTER)


def set_fields(db: Database, whitelist_id, fields: dict) -> None:
    db[NAME].update_one({"_id": whitelist_id}, {"$set": fields})


def all_of_user(db: Database, user_id, limit: int = 200) -> list[dict]:
    """Every whitelisting request of one investor, any offering (the back office's user file)."""
    return list(db[NAME].find({"userId": user_id}).limit(limit))


def search(db: Database, *, offering_ids: list | None = None, status: str = "", limit: int = 200) -> list[dict]:
    """Requests for the back office, newest first; `offering_ids` narrows to those offerings."""
    query: dict = {}
    if offering_ids is not None:
        query["offeringId"] = {"$in": offering_ids}
    if status:
        query["status"] = status
    return list(db[NAME].find(query).sort("requestedAt", -1).limit(limit))


def count_status(db: Database, status: str, cap: int = 1000) -> int:
    """How many requests have this status and no final decision yet (the back-office dashboard; capped)."""
    return db[NAME].count_documents({"status": status, "adminStatus": {"$exists": False}}, limit=cap)
