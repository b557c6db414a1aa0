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


def payment_address(db: Database, offering_id, default: str) -> str | None:
    """The offering's receiving address, set to `default` the first time it is asked for (None: no offering)."""
    db[NAME].update_one({"_id": offering_id, "paymentAddress": {"$exists": False}},
                        {"$set": {"paymentAddress": default}})
    doc = db[NAME].find_one({"_id": offering_id}, {"paymentAddress": 1})
    return doc.get("paymentAddress") if doc else None


def open_token_for_payments(db: Database, token: str, address: str) -> list:
    """Give the offerings of a newly deployed token their receiving address (kept if they have one); their ids."""
    ids = [d["_id"] for d in db[NAME].find({"tokenAddress": token, "paymentAddress": {"$exists": False}}, {"_id": 1})]
    if ids:
        db[NAME].update_many({"_id": {"$in": ids}, "paymentAddress": {"$exists": False}},
                             {"$set": {"paymentAddress": address}})
    return ids


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
