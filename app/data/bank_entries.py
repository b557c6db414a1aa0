"""The `bankEntries` collection: each booked line of an uploaded bank statement, once.

`_id` is derived from the bank's own reference of the entry and the account it was booked on
(app.domain.payments.statements.entry_key), so the same entry in a second statement (banks
repeat entries across intraday and end-of-day statements) is refused by the primary key and
settles nothing twice. An entry is inserted `new`, then moved once to what matching found
(settled, flagged, unmatched, other_currency, order_closed, debit) and, for the ones needing
a person, to staff's decision (assigned, refund_due, ignored). Amounts are integer minor units.
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data import bulk
from app.data.indexes import ASC, DESC, Index

NAME = "bankEntries"
INDEXES = (Index((("statementId", ASC),)), Index((("status", ASC), ("booked", DESC))), Index((("orderId", ASC),)))

NEW = "new"
SETTLED, FLAGGED, ASSIGNED = "settled", "flagged", "assigned"
UNMATCHED, OTHER_CURRENCY, ORDER_CLOSED, DEBIT = "unmatched", "other_currency", "order_closed", "debit"
REFUND_DUE, IGNORED = "refund_due", "ignored"
NEEDS_DECISION = (UNMATCHED, OTHER_CURRENCY, ORDER_CLOSED)
STATUSES = (NEW, SETTLED, FLAGGED, ASSIGNED, UNMATCHED, OTHER_CURRENCY, ORDER_CLOSED, DEBIT, REFUND_DUE, IGNORED)


def insert_new(db: Database, doc: dict) -> bool:
    """Insert the entry; False when an entry with the same key exists (seen in an earlier statement)."""
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


def insert_many_new(db: Database, docs: list[dict]) -> list[str]:
    """Insert the entries in one command; returns the ids that existed already (each left as it was)."""
    return bulk.insert_new(db[NAME], docs)


def get(db: Database, entry_id: str) -> dict | None:
    return db[NAME].find_one({"_id": entry_id})


def of_statement(db: Database, statement_id: str) -> list[dict]:
    return sorted(db[NAME].find({"statementId": statement_id}), key=lambda e: e.get("position") or 0)


def seen_again(db: Database, entry_id: str, statement_id: str) -> None:
    db[NAME].update_one({"_id": entry_id}, {"$addToSet": {"alsoIn": statement_id}})


def move(db: Database, entry_id: str, from_statuses: tuple[str, ...], fields: dict) -> dict | None:
    """Change the entry only while it is in one of `from_statuses` (callers hold its payment lock)."""
    return db[NAME].find_one_and_update({"_id": entry_id, "status": {"$in": list(from_statuses)}},
                                        {"$set": fields}, return_document=ReturnDocument.AFTER)


def needing_decision(db: Database, limit: int = 200) -> list[dict]:
    return list(db[NAME].find({"status": {"$in": list(NEEDS_DECISION)}}).sort("booked", -1).limit(limit))


def flagged(db: Database, limit: int = 200) -> list[dict]:
    """Entries recorded on an order that settlement flagged under- or overpaid (decided on the order's page)."""
    return list(db[NAME].find({"status": FLAGGED}).sort("booked", -1).limit(limit))


def still_new(db: Database, statement_id: str) -> list[dict]:
    """Entries a crash left unprocessed (inserted, not yet matched)."""
    return list(db[NAME].find({"statementId": statement_id, "status": NEW}))


def of_order(db: Database, order_id) -> list[dict]:
    return list(db[NAME].find({"orderId": order_id}))
