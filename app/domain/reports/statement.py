"""The printable investor statement: holdings at the end of a date range, orders placed and distributions
recorded within it. The investor reads their own; staff holding the `users` permission read anyone's.

Holdings at a past date are folded from the wallets' Transfer events up to the end of the range (their
block time), not read from today's balances, so a statement of last quarter stays what it was.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.chain.constants import ZERO_ADDRESS
from app.data import chain_events, reporting, user_details, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.issuer_dashboard.rules import order_state
from app.domain.reports.rules import as_int, aware

MAX_DAYS = 3660  # ten years: a wider range is refused rather than read


class NoSuchInvestor(errors.NotFound):
    """No investor with that id."""


class BadRange(errors.Refused):
    """The dates cannot make a range."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, UTC)

    @property
    def until(self) -> datetime:  # exclusive
        return datetime.combine(self.end + timedelta(days=1), time.min, UTC)


def parse_period(start: str, end: str) -> Period:
    """A range from two ISO dates (YYYY-MM-DD); BadRange with a message the form shows."""
    try:
        first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except (ValueError, AttributeError):
        raise BadRange("Give both dates as YYYY-MM-DD, for example 2026-01-01.") from None
    if last < first:
        raise BadRange("The end date is before the start date.")
    if (last - first).days > MAX_DAYS:
        raise BadRange("Choose a range of at most ten years.")
    return Period(first, last)


def holdings_until(events: list[dict], wallets: set[str], until: datetime) -> dict[str, int]:
    """{token: base units held by `wallets` together} after every Transfer mined before `until`."""
    held: dict[str, int] = defaultdict(int)
    for event in events:
        stamp = event.get("blockTimestamp")
        if event.get("event") != "Transfer" or stamp is None or datetime.fromtimestamp(int(stamp), UTC) >= until:
            continue
        args, value = event.get("args") or {}, as_int((event.get("args") or {}).get("value"))
        if str(args.get("to", "")).lower() in wallets and args.get("to") != ZERO_ADDRESS:
            held[event["address"]] += value
        if str(args.get("from", "")).lower() in wallets and args.get("from") != ZERO_ADDRESS:
            held[event["address"]] -= value
    return {token: amount for token, amount in held.items() if amount}


def statement(user_id: str, period: Period) -> dict:
    """The statement of the investor `user_id` over `period` (the caller checked who may read it)."""
    db = get_db()
    oid = parse_id(user_id)
    investor = users.by_id(db, oid) if oid else None
    if investor is None or investor.get("userType") != "investor":
        raise NoSuchInvestor(user_id)
    wallets = [w["address"] for w in user_details.wallets_of(db, oid) if w.get("address")]
    lowered = {w.lower() for w in wallets}
    events = chain_events.of_wallets(db, wallets)
    held = holdings_until(events, lowered, period.until)
    placed = [o for o in reporting.orders_of(db, None, user_id=oid)
              if o.get("orderReceived") and period.since <= aware(o["orderReceived"]) < period.until]
    offerings = reporting.offerings_by_ids_or_tokens(db, [o.get("offeringId") for o in placed], list(held))
    by_token = {o.get("tokenAddress"): o for o in offerings if o.get("tokenAddress")}
    by_id = {o["_id"]: o for o in offerings}
    paid = [d for d in reporting.dividends_of(db, None, wallets)
            if isinstance(d.get("recordDate"), datetime) and period.since <= aware(d["recordDate"]) < period.until]
    return {
        "investor": {"id": str(oid), "name": investor.get("name") or "", "email": investor.get("email") or ""},
        "period": period, "wallets": wallets,
        "holdings": [{"offering": _title(by_token.get(token)), "token": token, "units": units,
                      "decimals": _decimals(by_token.get(token))} for token, units in sorted(held.items())],
        "orders": [{"placed": o["orderReceived"], "reference": o.get("paymentReference") or "",
                    "offering": _title(by_id.get(o.get("offeringId"))), "quantity": as_int(o.get("quantity")),
                    "decimals": _decimals(by_id.get(o.get("offeringId"))), "total": as_int(o.get("totalAmount")),
                    "method": o.get("paymentMethod") or "", "state": order_state(o)}
                   for o in sorted(placed, key=lambda o: aware(o["orderReceived"]))],
        "distributions": [{"offering": d.get("offeringName") or "", "record_date": d["recordDate"],
                           "wallet": d.get("walletAddress") or "", "amount": as_int(d.get("dividendAmount")),
                           "status": d.get("status") or ""} for d in paid],
        "distributed": sum(as_int(d.get("dividendAmount")) for d in paid if d.get("status") == "paid"),
    }


def _title(offering: dict | None) -> str:
    return ((offering or {}).get("overview") or {}).get("title") or "Unknown offering"


def _decimals(offering: dict | None) -> int:
    return int(((offering or {}).get("projectDetails") or {}).get("tokenDecimals") or 0)
