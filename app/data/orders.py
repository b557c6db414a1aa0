"""The `orders` collection (seed: Order). Investment orders from placement through payment to minting.

Minting: an order's claim by the one mint job allowed to mint it is a `mintClaims` document
(app.data.mint_claims), and the job's transactions are in `mintTxs`; nothing is written on
the order until chain-sync sees its mint and sets `isMinted`, `orderMinted` (the block's
time) and `tx_hash`.

Amounts in base units (`quantity`, `paymentDue`, `paidAmount`, each payment's `amount`) are stored
as decimal strings and read as int (app/data/amounts.py); every read here returns them decoded.
"""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data import amounts
from app.data.indexes import ASC, DESC, Index

NAME = "orders"
INDEXES = (
    Index((("userId", ASC), ("createdAt", DESC))),
    Index((("offeringId", ASC), ("status", ASC))),
    Index((("status", ASC),)),
    Index((("tx_hash", ASC),)),
    Index((("idempotencyKey", ASC),), unique=True, sparse=True),
    Index((("paymentReference", ASC),), unique=True, sparse=True),
    Index((("userId", ASC), ("offeringId", ASC))),
    Index((("investorEmail", ASC),)),
)


AMOUNTS = ("quantity", "paymentDue", "paidAmount")  # base units: decimal strings in MongoDB


def decoded(doc: dict | None) -> dict | None:
    """An order as read, its base-unit amounts (and its payments' amounts) as int."""
    if doc is not None:
        amounts.decode(doc, AMOUNTS)
        for payment in doc.get("payments") or []:
            amounts.decode(payment, ("amount",))
    return doc


def encoded(doc: dict) -> dict:
    """An order as written: a copy with its base-unit amounts (and its payments' amounts) as decimal strings."""
    out = amounts.encode(doc, AMOUNTS)
    if doc.get("payments"):
        out["payments"] = [amounts.encode(p, ("amount",)) for p in doc["payments"]]
    return out


def get(db: Database, order_id) -> dict | None:
    return decoded(db[NAME].find_one({"_id": order_id}))


def by_reference(db: Database, reference: str) -> dict | None:
    """The order a bank transfer's payment reference names (unique; bank statements match on it)."""
    return decoded(db[NAME].find_one({"paymentReference": reference}))


def of_user(db: Database, user_id, limit: int = 1000) -> list[dict]:
    """One investor's orders (the portfolio; by the (userId, createdAt) index, sorted in Python:
    FerretDB v1 does not push sorts down)."""
    return [decoded(d) for d in db[NAME].find({"userId": user_id}).limit(limit)]


# --- Placement (app.domain.orders.placement): idempotent insert, state changes, the back office's pages ---
#
# The reservation counters (supply and per-investor holding) are in app/domain/orders/reservations.py;
# an order counts against them while its status is one of HELD.

PENDING_PAYMENT, CANCELLED = "pending_payment", "cancelled"
STATUSES = ("pending_payment", "payment_review", "settled", "minted", "cancelled")
HELD = ("pending_payment", "payment_review", "settled", "minted")
PAGE_FIELDS = {"mintTxHashes": 0}


class DuplicateOrder(Exception):
    """The insert clashed with a unique key: `field` is idempotencyKey or paymentReference."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def insert_new(db: Database, doc: dict) -> None:
    """Insert a new order; raises DuplicateOrder naming the key that already exists."""
    try:
        db[NAME].insert_one(encoded(doc))
    except DuplicateKeyError:
        clash = db[NAME].count_documents({"idempotencyKey": doc["idempotencyKey"]}, limit=1)
        raise DuplicateOrder("idempotencyKey" if clash else "paymentReference") from None


def by_key(db: Database, idempotency_key: str) -> dict | None:
    return decoded(db[NAME].find_one({"idempotencyKey": idempotency_key}))


def transition(db: Database, order_id, condition: dict, changes: dict) -> dict | None:
    """Change the order only while `condition` holds; the updated order or None."""
    return decoded(db[NAME].find_one_and_update({"_id": order_id, **condition}, {"$set": encoded(changes)},
                                                return_document=ReturnDocument.AFTER))


def count_status(db: Database, status: str, cap: int = 1000) -> int:
    """How many orders have this status (the back-office dashboard; capped)."""
    return db[NAME].count_documents({"status": status}, limit=cap)


def held(db: Database, offering_id) -> list[dict]:
    """Orders of the offering that hold tokens (placed and not cancelled), for recounting the reservations."""
    return [decoded(d) for d in db[NAME].find({"offeringId": offering_id, "status": {"$in": list(HELD)}},
                                              {"userId": 1, "tokens": 1, "quantity": 1})]


def offering_ids(db: Database) -> list:
    return db[NAME].distinct("offeringId", {"status": {"$in": list(HELD)}})


def of_investor(db: Database, user_id, offering_id) -> list[dict]:
    return [decoded(d) for d in db[NAME].find({"userId": user_id, "offeringId": offering_id},
                                              {"quantity": 1, "tokens": 1, "isMinted": 1, "status": 1})]


def page(db: Database, query: dict, before_id=None, limit: int = 50) -> list[dict]:
    """One page of orders, newest first, continuing below `before_id` (keyset: no skip over earlier pages)."""
    if before_id is not None:
        query = {**query, "_id": {"$lt": before_id}}
    return [decoded(d) for d in db[NAME].find(query, PAGE_FIELDS).sort("_id", -1).limit(limit)]


def unpaid_placed_before(db: Database, cutoff) -> list[dict]:
    """Orders still waiting for their payment placed before `cutoff` (payment window: app.domain.orders.expiry)."""
    return [decoded(d) for d in db[NAME].find({"status": PENDING_PAYMENT, "orderReceived": {"$lt": cutoff}})]


AWAITING_MINT = ("payment_review", "settled")  # paid (or the payment under review), tokens not minted yet


def count_awaiting_mint(db: Database, offering_id) -> int:
    """Orders of the offering whose payment arrived but whose tokens are not minted (opening the token waits)."""
    return db[NAME].count_documents({"offeringId": offering_id, "status": {"$in": list(AWAITING_MINT)}})


def unpaid_of_offering(db: Database, offering_id) -> list[dict]:
    """The offering's orders still waiting for their payment (closing the raise cancels them)."""
    return [decoded(d) for d in db[NAME].find({"offeringId": offering_id, "status": PENDING_PAYMENT})]
