"""Payment fields of the `orders` collection (placement lives in app/data/orders.py).

Every write is one conditional single-document update, so settlement needs no transaction:
a payment is appended only if its key is not among `paymentKeys` (recorded once however
often it is delivered), and an outcome (settled, flagged) is written only if `paidAmount`
is still the total it was computed from (a payment arriving in between makes it retry).
Settlement makes these writes under `locks.order` (app/locks.py).
`notices` lists the messages already sent for the order, so each goes out once.

`paidAmount` and each payment's `amount` are in the order's payment unit (cents, or stablecoin
base units, which pass 2**63 with 18 decimals): stored as decimal strings, read as int
(app/data/amounts.py). So a payment is added in Python and written with the total it was read
at as the condition, never with `$inc`; every order returned here has its amounts decoded.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument
from pymongo.database import Database

from app.data import amounts, mint_claims
from app.data.orders import NAME, decoded

OPEN = ["pending_payment", "payment_review"]
AFTER = ReturnDocument.AFTER


def get(db: Database, order_id) -> dict | None:
    return decoded(db[NAME].find_one({"_id": order_id}))


def _paid_was(raw) -> dict:
    """The condition "paidAmount is still what was read" (absent on orders placed before it existed)."""
    return {"$exists": False} if raw is None else {"$in": [raw]}


def record_payment(db: Database, order_id, key: str, payment: dict) -> dict | None:
    """Append the payment and add it to `paidAmount` unless recorded before or the order is closed; the order after.

    Read, added in Python, written on condition that the total is unchanged (the caller holds the order's lock)."""
    was = (db[NAME].find_one({"_id": order_id}, {"paidAmount": 1}) or {}).get("paidAmount")
    paid = amounts.load(was) + payment["amount"]
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id, "status": {"$in": OPEN}, "paymentKeys": {"$ne": key}, "paidAmount": _paid_was(was)},
        {"$push": {"payments": {**amounts.encode(payment, ("amount",)), "key": key}, "paymentKeys": key},
         "$set": {"paidAmount": amounts.store(paid)}},
        return_document=AFTER))


def mark_settled(db: Database, order_id, paid: int, now: datetime) -> dict | None:
    """Open -> settled, provided the paid total is still `paid` and no payment awaits a reorg check."""
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id, "status": {"$in": OPEN}, "paidAmount": amounts.match(paid),
         "paymentFlag": {"$ne": "reorged"}},
        {"$set": {"status": "settled", "isSettled": True, "settledAt": now, "paymentFlag": None,
                  "paymentFlagReason": None}},
        return_document=AFTER))


def mark_flagged(db: Database, order_id, paid: int, flag: str, reason: str) -> dict | None:
    """Open -> payment_review with a flag, provided the paid total is still `paid` (a reorg flag stays)."""
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id, "status": {"$in": OPEN}, "paidAmount": amounts.match(paid),
         "paymentFlag": {"$ne": "reorged"}},
        {"$set": {"status": "payment_review", "paymentFlag": flag, "paymentFlagReason": reason}},
        return_document=AFTER))


def accept_flagged(db: Database, order_id, flag: str, paid: int, now: datetime, resolution: dict) -> dict | None:
    """An admin accepted a flagged payment as it is: settled, with the decision kept on the order."""
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id, "status": "payment_review", "paymentFlag": flag, "paidAmount": amounts.match(paid)},
        {"$set": {"status": "settled", "isSettled": True, "settledAt": now, "paymentFlag": None,
                  "paymentFlagReason": None}, "$push": {"resolutions": resolution}},
        return_document=AFTER))


def refund_flagged(db: Database, order_id, flag: str, paid: int, refund: dict) -> dict | None:
    """An admin refused a flagged payment: it is to be returned and the order waits for the right amount again."""
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id, "status": "payment_review", "paymentFlag": flag, "paidAmount": amounts.match(paid)},
        {"$set": {"status": "pending_payment", "paidAmount": amounts.store(0), "paymentFlag": None,
                  "paymentFlagReason": None},
         "$push": {"resolutions": refund}},
        return_document=AFTER))


def set_reorg_flag(db: Database, order_id, key: str, reason: str) -> dict | None:
    """A recorded payment's block left the chain: flag the order (a settled one stays settled, for an admin)."""
    db[NAME].update_one({"_id": order_id, "status": {"$in": OPEN}}, {"$set": {"status": "payment_review"}})
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id}, {"$set": {"paymentFlag": "reorged", "paymentFlagReason": reason},
                            "$addToSet": {"retractedPaymentKeys": key}},
        return_document=AFTER))


def clear_reorg_flag(db: Database, order_id, key: str) -> dict | None:
    """The payment is back on the canonical chain: drop the flag once no retracted payment remains."""
    db[NAME].update_one({"_id": order_id}, {"$pull": {"retractedPaymentKeys": key}})
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id, "paymentFlag": "reorged", "retractedPaymentKeys": {"$size": 0}},
        {"$set": {"paymentFlag": None, "paymentFlagReason": None}}, return_document=AFTER))


def clear_flag(db: Database, order_id, flag: str, resolution: dict) -> dict | None:
    """An admin acknowledged a flag on an order that stays in its status (a reorged payment checked)."""
    return decoded(db[NAME].find_one_and_update(
        {"_id": order_id, "paymentFlag": flag},
        {"$set": {"paymentFlag": None, "paymentFlagReason": None, "retractedPaymentKeys": []},
         "$push": {"resolutions": resolution}},
        return_document=AFTER))


def open_crypto_orders(db: Database, wallet: str, pay_to: str, token: str) -> list[dict]:
    """The sender's crypto orders still awaiting payment to `pay_to` in `token` (the matcher picks among them)."""
    return [decoded(d) for d in db[NAME].find({"walletAddress": wallet, "paymentMethod": "crypto",
                                               "status": {"$in": OPEN}, "paymentAddress": pay_to,
                                               "paymentToken": token})]


def open_crypto_orders_of(db: Database, wallets: list[str]) -> list[dict]:
    """Open crypto orders of any of `wallets` (one query for the back office's list of unmatched transfers)."""
    if not wallets:
        return []
    return [decoded(d) for d in db[NAME].find({"walletAddress": {"$in": sorted(set(wallets))},
                                               "paymentMethod": "crypto", "status": {"$in": OPEN}})]


def note_once(db: Database, order_id, notice: str) -> bool:
    """True the first time `notice` is noted for the order (so its mail and audit entry go out once)."""
    result = db[NAME].update_one({"_id": order_id, "notices": {"$ne": notice}}, {"$push": {"notices": notice}})
    return result.modified_count == 1


def mark_raise_counted(db: Database, order_id) -> None:
    db[NAME].update_one({"_id": order_id}, {"$set": {"raiseCounted": True}})


def offerings_with_settled_unminted(db: Database) -> list:
    """Offerings holding settled, unminted orders that no mint job has claimed (to enqueue their minting again).

    A claim is a `mintClaims` document whose `_id` is the order id (app.data.mint_claims); a
    claimed order is its job's to finish (`flask chain requeue` re-runs the jobs themselves).
    """
    ready = list(db[NAME].find({"isSettled": True, "isMinted": {"$ne": True}}, {"offeringId": 1}))
    claimed = mint_claims.jobs_of(db, [order["_id"] for order in ready])
    return sorted({order["offeringId"] for order in ready if order["_id"] not in claimed})


def minted_unnoticed(db: Database, order_ids: list) -> list[dict]:
    """Those of `order_ids` chain-sync marked minted whose investor was not told yet.

    One `_id` lookup each: FerretDB v1 answers only those without scanning the collection.
    """
    found = (decoded(db[NAME].find_one({"_id": order_id})) for order_id in order_ids)
    return [o for o in found
            if o and o.get("isMinted") and o.get("userId") and "minted" not in (o.get("notices") or [])]
