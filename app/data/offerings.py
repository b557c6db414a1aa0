"""The `offerings` collection (seed: Offering). Real-estate offerings from draft to deployed token.

`tokensSold` is in token base units: a decimal string in MongoDB, an int once read (app/data/amounts.py).
"""

from __future__ import annotations

from bson import ObjectId
from pymongo import ReturnDocument

from app.data import amounts
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
CARD_FIELDS = {"overview.title": 1, "overview.subTitle": 1, "overview.location": 1, "overview.cover": 1,
               "projectDetails.assetType": 1, "projectDetails.propertyType": 1, "projectDetails.projectedYield": 1,
               "projectDetails.minInvestment": 1, "projectDetails.tokenSupply": 1, "projectDetails.tokenDecimals": 1,
               "projectDetails.navLaunchPrice": 1, "projectDetails.startDate": 1, "projectDetails.endDate": 1,
               "projectDetails.authorizedCountries": 1, "projectDetails.isPrivate": 1, "projectDetails.tokenTicker": 1,
               "projectDetails.offeringMembers": 1, "projectDetails.assetName": 1,
               "raisedAmount": 1, "tokensSold": 1, "isSoldOut": 1, "status": 1, "isActive": 1, "isDelete": 1}


AMOUNTS = ("tokensSold",)


def _decoded(doc: dict | None) -> dict | None:
    return amounts.decode(doc, AMOUNTS)


def by_id(db, offering_id: ObjectId) -> dict | None:
    return _decoded(db[NAME].find_one({"_id": offering_id, "isDelete": {"$ne": True}}))


def listed_cards(db, ids: list[ObjectId] | None = None) -> list[dict]:
    """Card fields of listed (live or closed, active, not deleted) offerings; all of them, or just `ids`."""
    query = {"isActive": True, "isDelete": {"$ne": True}, "status": {"$in": ["live", "closed"]}}
    if ids is not None:
        query["_id"] = {"$in": ids}
    return [_decoded(d) for d in db[NAME].find(query, CARD_FIELDS)]


def insert(db, offering: dict) -> ObjectId:
    """Insert; callers that list it tell the marketplace catalogue (app.domain.marketplace.catalogue.record_change)."""
    return db[NAME].insert_one(amounts.encode(offering, AMOUNTS)).inserted_id


def token_address(db, offering_id) -> str | None:
    """The offering's deployed token (seed: tokenAddress), or None before deployment."""
    doc = db[NAME].find_one({"_id": offering_id}, {"tokenAddress": 1})
    return (doc or {}).get("tokenAddress")


def ids_by_token(db, token: str) -> list:
    """Offerings of this deployed token (seed: tokenAddress); one, unless a seed duplicated it."""
    return [d["_id"] for d in db[NAME].find({"tokenAddress": token}, {"_id": 1})]


def set_token_paused(db, offering_id: ObjectId, paused: bool) -> None:
    """Chain-sync: mirror the token's pause state on its offering (the caller holds the offering's lock)."""
    db[NAME].update_one({"_id": offering_id}, {"$set": {"tokenPaused": paused}})


def set_erc20(db, offering_id: ObjectId, erc20: str) -> None:
    """Conversion enabled: the offering's ERC-20 (seed: erc20Address, iserc20); the caller holds its lock."""
    db[NAME].update_one({"_id": offering_id}, {"$set": {"erc20Address": erc20, "iserc20": True}})


def set_nav(db, offering_id: ObjectId, nav: int, at, history: list[dict]) -> None:
    """An approved NAV: `projectDetails.latestNav`/`latestNavAt` and the whole `navHistory` read model, written
    as values (not pushed) so a retried approval writes the same document (the caller holds the offering's lock)."""
    db[NAME].update_one({"_id": offering_id}, {"$set": {"projectDetails.latestNav": nav,
                                                        "projectDetails.latestNavAt": at, "navHistory": history}})


def ids_by_registry(db, registry: str) -> list:
    """Offerings whose suite uses this identity registry (seed: identityRegistry)."""
    return [d["_id"] for d in db[NAME].find({"identityRegistry": registry}, {"_id": 1})]


EDITABLE = ("draft", "changes_requested")


def owned(db, offering_id: ObjectId, owner_id: ObjectId) -> dict | None:
    """The offering if `owner_id` created it (other issuers get None, as if it did not exist)."""
    return _decoded(db[NAME].find_one({"_id": offering_id, "createdBy": owner_id, "isDelete": {"$ne": True}}))


def of_owner(db, owner_id: ObjectId) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"createdBy": owner_id, "isDelete": {"$ne": True}}).sort("_id", -1)]


def save_fields(db, offering_id: ObjectId, owner_id: ObjectId, fields: dict, step_key: str, next_step: int) -> bool:
    """Write one wizard step if the offering is still editable by its owner; False otherwise."""
    result = db[NAME].update_one(
        {"_id": offering_id, "createdBy": owner_id, "status": {"$in": list(EDITABLE)}, "isDelete": {"$ne": True}},
        {"$set": fields, "$addToSet": {"completedSteps": step_key}, "$max": {"currentStep": next_step}})
    return result.matched_count == 1


def push_entry(db, offering_id: ObjectId, owner_id: ObjectId, path: str, entry: dict, step_key: str) -> bool:
    """Append one team member or custom field while the offering is editable."""
    result = db[NAME].update_one(
        {"_id": offering_id, "createdBy": owner_id, "status": {"$in": list(EDITABLE)}},
        {"$push": {path: entry}, "$addToSet": {"completedSteps": step_key}})
    return result.matched_count == 1


def remove_entry(db, offering_id: ObjectId, owner_id: ObjectId, path: str, index: int) -> bool:
    """Remove the list entry at `index` (unset then pull: the only positional delete MongoDB offers)."""
    query = {"_id": offering_id, "createdBy": owner_id, "status": {"$in": list(EDITABLE)}}
    if db[NAME].update_one(query, {"$unset": {f"{path}.{index}": 1}}).matched_count != 1:
        return False
    db[NAME].update_one(query, {"$pull": {path: None}})
    return True


def transition(db, offering_id: ObjectId, allowed_from: tuple[str, ...], changes: dict,
               owner_id: ObjectId | None = None, expect: dict | None = None) -> dict | None:
    """Move the offering to a new state only from `allowed_from` (and with the `expect`ed field values),
    atomically; returns the new document or None."""
    query = {"_id": offering_id, "status": {"$in": list(allowed_from)}, "isDelete": {"$ne": True}, **(expect or {})}
    if owner_id is not None:
        query["createdBy"] = owner_id
    return _decoded(db[NAME].find_one_and_update(query, {"$set": changes}, return_document=ReturnDocument.AFTER))


def add_comment(db, offering_id: ObjectId, comment: dict) -> bool:
    return db[NAME].update_one({"_id": offering_id}, {"$push": {"reviewComments": comment}}).matched_count == 1


def for_review(db, statuses: tuple[str, ...], limit: int = 200) -> list[dict]:
    """Offerings in `statuses`, newest first (the back office's queue)."""
    fields = {"overview.title": 1, "status": 1, "createdBy": 1, "projectDetails.taId": 1,
              "projectDetails.reviewerId": 1, "submittedAt": 1,
              "overview.entityName": 1, "raisedAmount": 1}
    return list(db[NAME].find({"status": {"$in": list(statuses)}, "isDelete": {"$ne": True}}, fields)
                .sort("_id", -1).limit(limit))


def count_statuses(db, statuses: tuple[str, ...], cap: int = 1000) -> int:
    """How many offerings are in `statuses` (the back-office dashboard; capped)."""
    return db[NAME].count_documents({"status": {"$in": list(statuses)}, "isDelete": {"$ne": True}}, limit=cap)


def id_deploying(db, salt_hash: str):
    """The id of the offering deploying under `salt_hash` (None: none is, e.g. a replay)."""
    doc = db[NAME].find_one({"deploySaltHash": salt_hash, "status": {"$in": ["deploying", "deploy_failed"]}},
                            {"_id": 1})
    return doc["_id"] if doc else None


def mark_deployed(db, salt_hash: str, changes: dict) -> dict | None:
    """Record the synced suite on the offering deploying under `salt_hash`; None if none is (a replay)."""
    query = {"deploySaltHash": salt_hash, "status": {"$in": ["deploying", "deploy_failed"]}}
    return db[NAME].find_one_and_update(query, {"$set": changes})


def by_tokens_or_ids(db, tokens: list[str], ids: list) -> list[dict]:
    """Offerings holding any of `tokens` or with any of `ids`, in one query (the portfolio's lookups)."""
    if not tokens and not ids:
        return []
    fields = {"overview.title": 1, "projectDetails": 1, "tokenAddress": 1, "navHistory": 1, "status": 1,
              "identityRegistry": 1, "tokenOpenedAt": 1}
    return list(db[NAME].find({"$or": [{"tokenAddress": {"$in": tokens}}, {"_id": {"$in": ids}}]}, fields))


# --- opening the token after the sale (app.domain.offerings.opening) ---

def set_fields(db, offering_id: ObjectId, changes: dict) -> dict | None:
    """Write staff's fields on a listed or deploying offering (the caller holds the offering's lock)."""
    return _decoded(db[NAME].find_one_and_update({"_id": offering_id, "isDelete": {"$ne": True}}, {"$set": changes},
                                                 return_document=ReturnDocument.AFTER))


def awaiting_opening(db) -> list[dict]:
    """Deployed offerings with an opening setting whose token was not opened yet (the periodic sweep's list)."""
    query = {"projectDetails.tokenOpening": {"$in": ["close", "date"]}, "status": {"$in": ["live", "closed"]},
             "tokenOpenedAt": {"$exists": False}, "isDelete": {"$ne": True}}
    return [_decoded(d) for d in db[NAME].find(query)]


def mark_opened(db, offering_id: ObjectId, at) -> bool:
    """Chain-sync saw the token unpaused for the first time; True only for the write that set it."""
    return db[NAME].update_one({"_id": offering_id, "tokenOpenedAt": {"$exists": False}},
                               {"$set": {"tokenOpenedAt": at}}).modified_count == 1
