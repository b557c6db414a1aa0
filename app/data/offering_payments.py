"""Payment fields of the `offerings` collection: the receiving address and the raise counters.

The counters (`raisedAmount` cents, `tokensSold` base units, `investorCount`) move exactly
once per settled order without a transaction: the order's id is pushed in the same
single-document update that increments them (`raiseOrderIds`), and the investor's id in
the one that counts a new investor (`investorIds`), so a replay finds its id there and
changes nothing. Ids are pulled from `raiseOrderIds` once the order itself says so.
"""

from __future__ import annotations

from pymongo.database import Database

from app.data.offerings import NAME


def receiving_address(db: Database, offering_id) -> tuple[bool, str | None]:
    """(whether the offering exists, its receiving address if it has one yet); a read only."""
    doc = db[NAME].find_one({"_id": offering_id}, {"paymentAddress": 1})
    return doc is not None, (doc or {}).get("paymentAddress")


def payment_address(db: Database, offering_id, default: str) -> str | None:
    """The offering's receiving address, set to `default` if it has none (None: no offering).

    The caller holds the offering's lock (app/locks.py): this write rewrites the document on FerretDB v1."""
    db[NAME].update_one({"_id": offering_id, "paymentAddress": {"$exists": False}},
                        {"$set": {"paymentAddress": default}})
    doc = db[NAME].find_one({"_id": offering_id}, {"paymentAddress": 1})
    return doc.get("paymentAddress") if doc else None


def without_address(db: Database, token: str) -> list:
    """Offerings of this token that have no receiving address yet."""
    return [d["_id"] for d in db[NAME].find({"tokenAddress": token, "paymentAddress": {"$exists": False}}, {"_id": 1})]


def count_settled_order(db: Database, offering_id, order_id, user_id, amount: int, quantity: int) -> bool:
    """Add one settled order to the raise (and its investor, if new to this offering); False if counted before."""
    inc = {"raisedAmount": int(amount), "tokensSold": int(quantity)}
    first_of_investor = db[NAME].update_one(
        {"_id": offering_id, "raiseOrderIds": {"$ne": order_id}, "investorIds": {"$ne": user_id}},
        {"$inc": {**inc, "investorCount": 1}, "$push": {"raiseOrderIds": order_id, "investorIds": user_id}})
    if first_of_investor.modified_count:
        return True
    again = db[NAME].update_one({"_id": offering_id, "raiseOrderIds": {"$ne": order_id}},
                                {"$inc": inc, "$push": {"raiseOrderIds": order_id}})
    return bool(again.modified_count)


def forget_counted_order(db: Database, offering_id, order_id) -> None:
    """The order now carries `raiseCounted` itself: its id need not stay on the offering."""
    db[NAME].update_one({"_id": offering_id}, {"$pull": {"raiseOrderIds": order_id}})
