"""The `payments` collection: every stablecoin transfer to a receiving address, matched or not.

`_id` is the settlement key `crypto:<txHash>:<logIndex>`, so a transfer delivered twice
(Kafka replay, a second chain-sync) is one document. `orderId` is set once, by a
conditional update, before the order is credited; a transfer no order fits stays
`unmatched` for an admin instead of being lost; a reorg marks it `retracted`.

An admin decides an unmatched transfer (app/domain/payments/review.py): `matching` ties it to
the order they chose until settlement has recorded it there (then `matched`; a crash in
between leaves it `matching`, listed again so the admin finishes it), or `refund_due`.

`amount` is in stablecoin base units: a decimal string in MongoDB, an int once read (app/data/amounts.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.database import Database

from app.data import amounts
from app.data.indexes import ASC, DESC, Index

NAME = "payments"
INDEXES = (Index((("status", ASC), ("receivedAt", DESC))), Index((("orderId", ASC),)), Index((("from", ASC),)))

MATCHED, UNMATCHED, RETRACTED = "matched", "unmatched", "retracted"
MATCHING, REFUND_DUE = "matching", "refund_due"
FOR_REVIEW = [UNMATCHED, MATCHING]  # what the back office lists as waiting for a decision


def record(db: Database, key: str, transfer: dict) -> dict:
    """The payment document for `key`, inserted from `transfer` the first time."""
    return _decoded(db[NAME].find_one_and_update(
        {"_id": key}, {"$setOnInsert": {**amounts.encode(transfer, ("amount",)), "status": "new",
                                        "receivedAt": datetime.now(UTC)}},
        upsert=True, return_document=ReturnDocument.AFTER))


def _decoded(doc: dict | None) -> dict | None:
    return amounts.decode(doc, ("amount",))


def assign(db: Database, key: str, order_id) -> dict:
    """Tie the payment to `order_id` unless it is tied already; the document after (its `orderId` wins)."""
    db[NAME].update_one({"_id": key, "orderId": {"$exists": False}},
                        {"$set": {"orderId": order_id, "status": MATCHED}})
    return _decoded(db[NAME].find_one({"_id": key}))


def set_status(db: Database, key: str, status: str, reason: str | None = None) -> None:
    db[NAME].update_one({"_id": key}, {"$set": {"status": status, "reason": reason, "updatedAt": datetime.now(UTC)}})


def get(db: Database, key: str) -> dict | None:
    return _decoded(db[NAME].find_one({"_id": key}))


def unmatched(db: Database, limit: int = 200) -> list[dict]:
    """Transfers no order took, for the admin (newest first)."""
    return [_decoded(d) for d in db[NAME].find({"status": UNMATCHED}).sort("receivedAt", -1).limit(limit)]


def for_review(db: Database, limit: int = 200) -> list[dict]:
    """Transfers waiting for an admin: unmatched, or matched by one whose settlement did not finish (newest first)."""
    return [_decoded(d) for d in db[NAME].find({"status": {"$in": FOR_REVIEW}}).sort("receivedAt", -1).limit(limit)]


def count_for_review(db: Database, cap: int = 1000) -> int:
    """How many transfers wait for an admin (the back-office dashboard; capped)."""
    return db[NAME].count_documents({"status": {"$in": FOR_REVIEW}}, limit=cap)


def refunds_due(db: Database, limit: int = 50) -> list[dict]:
    """Transfers an admin marked for refund, newest decision first."""
    return [_decoded(d) for d in db[NAME].find({"status": REFUND_DUE}).sort("refund.at", -1).limit(limit)]


def start_match(db: Database, key: str, order_id, by, now: datetime) -> bool:
    """unmatched -> matching `order_id`; False when the transfer was decided meanwhile."""
    result = db[NAME].update_one({"_id": key, "status": UNMATCHED, "orderId": {"$exists": False}},
                                 {"$set": {"status": MATCHING, "orderId": order_id, "matchedBy": by, "matchedAt": now}})
    return result.modified_count == 1


def finish_match(db: Database, key: str, order_id) -> None:
    """Settlement recorded the transfer on the order: matching -> matched."""
    db[NAME].update_one({"_id": key, "status": MATCHING, "orderId": order_id}, {"$set": {"status": MATCHED}})


def abandon_match(db: Database, key: str, order_id) -> None:
    """The order took no payment (nothing was recorded on it): the transfer is unmatched again."""
    db[NAME].update_one({"_id": key, "status": MATCHING, "orderId": order_id},
                        {"$set": {"status": UNMATCHED}, "$unset": {"orderId": "", "matchedBy": "", "matchedAt": ""}})


def mark_refund_due(db: Database, key: str, reason: str, by, now: datetime) -> bool:
    """unmatched -> refund_due with the admin's reason; False when the transfer was decided meanwhile."""
    result = db[NAME].update_one({"_id": key, "status": UNMATCHED, "orderId": {"$exists": False}},
                                 {"$set": {"status": REFUND_DUE, "refund": {"reason": reason, "by": by, "at": now}}})
    return result.modified_count == 1
