"""The `offerings` collection (seed: Offering). Real-estate offerings from draft to deployed token."""

from __future__ import annotations

from bson import ObjectId

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
               "projectDetails.minInvestment": 1, "projectDetails.tokenSupply": 1,
               "projectDetails.navLaunchPrice": 1, "projectDetails.startDate": 1, "projectDetails.endDate": 1,
               "projectDetails.authorizedCountries": 1, "projectDetails.isPrivate": 1, "projectDetails.tokenTicker": 1,
               "projectDetails.offeringMembers": 1, "projectDetails.assetName": 1,
               "raisedAmount": 1, "tokensSold": 1, "isSoldOut": 1, "status": 1, "isActive": 1, "isDelete": 1}


def by_id(db, offering_id: ObjectId) -> dict | None:
    return db[NAME].find_one({"_id": offering_id, "isDelete": {"$ne": True}})


def listed_cards(db, ids: list[ObjectId] | None = None) -> list[dict]:
    """Card fields of listed (live or closed, active, not deleted) offerings; all of them, or just `ids`."""
    query = {"isActive": True, "isDelete": {"$ne": True}, "status": {"$in": ["live", "closed"]}}
    if ids is not None:
        query["_id"] = {"$in": ids}
    return list(db[NAME].find(query, CARD_FIELDS))


def insert(db, offering: dict) -> ObjectId:
    """Insert; callers that list it tell the marketplace catalogue (app.domain.catalogue.record_change)."""
    return db[NAME].insert_one(offering).inserted_id


def token_address(db, offering_id) -> str | None:
    """The offering's deployed token (seed: tokenAddress), or None before deployment."""
    doc = db[NAME].find_one({"_id": offering_id}, {"tokenAddress": 1})
    return (doc or {}).get("tokenAddress")


def set_token_paused(db, token: str, paused: bool) -> None:
    """Chain-sync: mirror the token's pause state on its offering (seed: tokenAddress)."""
    db[NAME].update_many({"tokenAddress": token}, {"$set": {"tokenPaused": paused}})


def ids_by_registry(db, registry: str) -> list:
    """Offerings whose suite uses this identity registry (seed: identityRegistry)."""
    return [d["_id"] for d in db[NAME].find({"identityRegistry": registry}, {"_id": 1})]
