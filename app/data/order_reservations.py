"""The `orderReservations` collection: whole tokens reserved by placed orders, per offering (its supply)
and per (offering, investor) (the most one investor may hold).

Why a collection of its own, written only under the offering's Redis lock (app.domain.ordering):
FerretDB v1 applies an update as a read followed by a write of the whole document, with no
isolation, so two concurrent `$inc`s on one document can lose one, and a conditional update
can pass its condition twice. Nothing else writes these documents, so the lock is enough,
and the counters can always be recounted from the orders themselves (`recount`).
"""

from __future__ import annotations

import re

from pymongo import DeleteMany, ReturnDocument, UpdateOne
from pymongo.database import Database

NAME = "orderReservations"
INDEXES = ()


def offering_key(offering_id) -> str:
    return f"o:{offering_id}"


def holding_key(offering_id, user_id) -> str:
    return f"h:{offering_id}:{user_id}"


def reserved(db: Database, key: str) -> int:
    doc = db[NAME].find_one({"_id": key}, {"tokens": 1})
    return int((doc or {}).get("tokens") or 0)


def add(db: Database, key: str, tokens: int, limit: int | None) -> bool:
    """Reserve `tokens` more if the total stays within `limit` (None: no limit). Caller holds the lock.

    One round trip when it fits (the usual case): add, look at the total, take it back if over.
    """
    after = db[NAME].find_one_and_update({"_id": key}, {"$inc": {"tokens": tokens}}, upsert=True,
                                         return_document=ReturnDocument.AFTER)
    if limit is not None and int(after["tokens"]) > limit:
        subtract(db, key, tokens)
        return False
    return True


def subtract(db: Database, key: str, tokens: int) -> None:
    """Give back `tokens`. Caller holds the lock."""
    db[NAME].update_one({"_id": key}, {"$inc": {"tokens": -tokens}})


def replace_offering(db: Database, offering_id, total: int, per_investor: dict) -> int:
    """Set the offering's counters to a recount (caller holds the lock); returns how many changed."""
    prefix = f"h:{offering_id}:"
    before = {offering_key(offering_id): reserved(db, offering_key(offering_id))}
    before.update({d["_id"]: int(d.get("tokens") or 0)
                   for d in db[NAME].find({"_id": {"$regex": "^" + re.escape(prefix)}})})
    after = {offering_key(offering_id): total, **{holding_key(offering_id, u): t for u, t in per_investor.items()}}
    changed = sum(1 for key in set(before) | set(after) if before.get(key, 0) != after.get(key, 0))
    if changed:
        ops = [DeleteMany({"_id": {"$regex": "^" + re.escape(prefix)}})]
        ops += [UpdateOne({"_id": key}, {"$set": {"tokens": tokens}}, upsert=True) for key, tokens in after.items()]
        db[NAME].bulk_write(ops, ordered=True)
    return changed
