"""The back office's order search: by payment reference, investor (email or name), amount and date range,
newest first in keyset pages (each page continues below the last order's `_id`, no skipping).

Every criterion is optional and checked here: a malformed one is reported in words (a `problems` list the
page shows next to the form) and left out of the query, never an error page. Amounts are the order's total
in integer cents; dates are UTC days, the end day included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app.data import orders, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.platform import numerals

PAGE_SIZE = 50
MAX_INVESTORS = 200  # a name matching more investors than this is too broad to search by
_REFERENCE_PART = re.compile(r"^[A-Z0-9\-]{1,20}$", re.ASCII)


@dataclass(frozen=True)
class Search:
    reference: str = ""
    investor: str = ""
    amount_min: str = ""
    amount_max: str = ""
    date_from: str = ""
    date_to: str = ""
    problems: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, args) -> Search:
        values = {name: " ".join(str(args.get(name) or "").split())[:100] for name in
                  ("reference", "investor", "amount_min", "amount_max", "date_from", "date_to")}
        values["reference"] = values["reference"].upper()
        return cls(**values, problems=tuple(_problems(values)))

    def args(self) -> dict:
        return {k: v for k, v in (("reference", self.reference), ("investor", self.investor),
                                  ("amount_min", self.amount_min), ("amount_max", self.amount_max),
                                  ("date_from", self.date_from), ("date_to", self.date_to)) if v}


def _problems(values: dict) -> list[str]:
    found = []
    if values["reference"] and not _REFERENCE_PART.match(values["reference"]):
        found.append("A payment reference has letters, digits and dashes only, such as LIB-7K2Q-9XMD.")
    for name, label in (("amount_min", "The smallest amount"), ("amount_max", "The largest amount")):
        if values[name] and numerals.parse_money(values[name]) is None:
            found.append(f"{label} is not an amount. {numerals.MONEY_FORMAT}")
    for name, label in (("date_from", "The first day"), ("date_to", "The last day")):
        if values[name] and _day(values[name]) is None:
            found.append(f"{label} is not a date: write it as YYYY-MM-DD.")
    return found


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def query(db, search: Search) -> dict | None:
    """The MongoDB filter of the valid criteria; None when no order can match (no investor by that name)."""
    found: dict = {}
    if search.reference and _REFERENCE_PART.match(search.reference):
        found["paymentReference"] = {"$regex": "^" + re.escape(search.reference)}
    if search.investor:
        ids = [u["_id"] for u in users.search(db, search.investor, "investor", limit=MAX_INVESTORS + 1)]
        if not ids:
            return None
        if len(ids) <= MAX_INVESTORS:
            found["userId"] = {"$in": ids}
        else:  # too broad for a list of ids: the investor's email copied on each order still narrows it
            found["investorEmail"] = {"$regex": re.escape(search.investor.lower())}
    amounts = {op: numerals.parse_money(text) for op, text in (("$gte", search.amount_min),
                                                                ("$lte", search.amount_max)) if text}
    amounts = {op: value for op, value in amounts.items() if value is not None}
    if amounts:
        found["totalAmount"] = amounts
    days = {}
    if _day(search.date_from):
        days["$gte"] = datetime.combine(_day(search.date_from), time(), UTC)
    if _day(search.date_to):
        days["$lt"] = datetime.combine(_day(search.date_to) + timedelta(days=1), time(), UTC)
    if days:
        found["orderReceived"] = days
    return found


def search_page(actor: dict, search: Search, before: str = "") -> dict:
    """One page of matching orders, newest first; `next` continues after its last one."""
    if not has_permission(actor, "orders"):
        raise errors.NotAllowed("searching orders needs the orders permission")
    db = get_db()
    found = query(db, search)
    if found is None or not search.args():
        return {"orders": [], "next": "", "searched": bool(search.args())}
    rows = orders.page(db, found, parse_id(before), PAGE_SIZE + 1)
    return {"orders": rows[:PAGE_SIZE], "next": str(rows[PAGE_SIZE - 1]["_id"]) if len(rows) > PAGE_SIZE else "",
            "searched": True}
