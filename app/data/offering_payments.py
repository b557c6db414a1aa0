"""Payment fields of the `offerings` collection: the receiving address and the raise counters.

The counters (`raisedAmount` cents, `tokensSold` base units, `investorCount`) move exactly
once per settled order without a transaction: the order's id is pushed in the same
single-document update that changes them (`raiseOrderIds`), and the investor's id goes into
`investorIds` in that update when the investor is new to the offering, so a replay finds its
id there and changes nothing. Ids are pulled from `raiseOrderIds` once the order itself says so.

`tokensSold` passes 2**63 with 18 decimals, so it is a decimal string (app/data/amounts.py)
and the counters are read, added in Python and written with the values read as the
condition, not `$inc`ed: the caller holds `locks.offering` (app/locks.py).
"""

from __future__ import annotations

from pymongo.database import Database

from app.data import amounts
from app.data.offerings import NAME


def receiving_address(db: Database, offering_id) -> tuple[bool, str | None]:
    """(whether the offering exists, its receiving address if it has one yet); a read only."""
    doc = db[NAME].find_one({"_id": offering_id}, {"paymentAddress": 1})
    return doc is not None, (doc or {}).get("paymentAddress")


def payment_address(db: Database, offering_id, default: str) -> str | None:
    """The offering's receiving address, set to `default` if it has none (None: no offering).

    The caller holds `locks.offering` (app/locks.py)."""
    db[NAME].update_one({"_id": offering_id, "paymentAddress": {"$exists": False}},
                        {"$set": {"paymentAddress": default}})
    doc = db[NAME].find_one({"_id": offering_id}, {"paymentAddress": 1})
    return doc.get("paymentAddress") if doc else None


def without_address(db: Database, token: str) -> list:
    """Offerings of this token that have no receiving address yet."""
    return [d["_id"] for d in db[NAME].find({"tokenAddress": token, "paymentAddress": {"$exists": False}}, {"_id": 1})]


def count_settled_order(db: Database, offering_id, order_id, user_id, amount: int, quantity: int) -> bool:
    """Add one settled order to the raise (and its investor, if new to this offering); False if counted before.

    The caller holds the offering's lock; the condition on the counters read keeps a writer that did
    not from counting over another's write (it then counts nothing and the replay counts it)."""
    doc = db[NAME].find_one({"_id": offering_id}, {"raisedAmount": 1, "tokensSold": 1, "investorCount": 1,
                                                   "raiseOrderIds": 1, "investorIds": 1})
    if doc is None or order_id in (doc.get("raiseOrderIds") or []):
        return False
    new_investor = user_id not in (doc.get("investorIds") or [])
    was = {field: doc.get(field) for field in ("raisedAmount", "tokensSold", "investorCount")}
    changes = {"raisedAmount": int(was["raisedAmount"] or 0) + int(amount),
               "tokensSold": amounts.store(amounts.load(was["tokensSold"]) + int(quantity)),
               "investorCount": int(was["investorCount"] or 0) + (1 if new_investor else 0)}
    push = {"raiseOrderIds": order_id, **({"investorIds": user_id} if new_investor else {})}
    condition = {field: ({"$exists": False} if value is None else {"$in": [value]}) for field, value in was.items()}
    result = db[NAME].update_one({"_id": offering_id, "raiseOrderIds": {"$ne": order_id}, **condition},
                                 {"$set": changes, "$push": push})
    return bool(result.modified_count)


def forget_counted_order(db: Database, offering_id, order_id) -> None:
    """The order now carries `raiseCounted` itself: its id need not stay on the offering."""
    db[NAME].update_one({"_id": offering_id}, {"$pull": {"raiseOrderIds": order_id}})
