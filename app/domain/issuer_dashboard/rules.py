"""The dashboard's figures from plain documents: cap table, orders by state, whitelist pipeline, raise over time.
Pure: no server needed (unit and property tests).

Token amounts are int base units throughout (18 decimals and supplies past 2**63 are fine: Python
ints); a holder's share is in basis points, truncated, so shares never add up to more than 100 %.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from app.domain.whitelisting import rules as whitelisting

ORDER_STATES = ("pending_payment", "payment_review", "settled", "mint_held", "minted", "cancelled")
PIPELINE = (("requested", "Requested"), ("signed", "Signed"), ("ta_approved", "Transfer agent approved"),
            ("approved", "Approved"), ("registered", "Registered on chain"))


@dataclass(frozen=True)
class CapRow:
    holder: str  # the investor's name, or "Unknown wallet" for a wallet no account has proven
    email: str
    wallet: str
    balance: int  # base units, from chain-sync's holdings (equal to balanceOf at the synced height)
    share_bps: int  # of the supply, truncated
    frozen: int  # base units frozen on the wallet (partial freezes)
    wallet_frozen: bool  # the whole wallet frozen
    locked: int | None  # base units under the suite's lock-up at read time; None: the suite has no lock-up module
    country: str


def order_state(order: dict) -> str:
    """The order's state as the dashboard counts it: a held mint is apart from one still minting."""
    if order.get("isMinted"):
        return "minted"
    status = order.get("status") or "pending_payment"
    return "mint_held" if status == "settled" and order.get("mintHeld") else status


def share_bps(balance: int, supply: int) -> int:
    """balance / supply in basis points, truncated; 0 without a supply."""
    return balance * 10_000 // supply if supply > 0 else 0


def cap_table(holdings: list[dict], owners: dict[str, object], users: dict, supply: int | None,
              locked: dict[str, int] | None = None) -> list[CapRow]:
    """One row per wallet holding tokens (or frozen ones), largest first.

    `owners` maps a lower-case wallet to its user id, `users` a user id to the user. The supply is the
    token's synced total supply, or the sum of the balances when chain-sync has not seen it yet. `locked`
    maps a lower-case wallet to its locked base units (read from the lock-up module); None when the suite
    has no lock-up module, and every row's `locked` is then None ("no lock-up")."""
    held = [h for h in holdings if h.get("balance") or h.get("frozen")]
    total = supply if supply is not None else sum(h["balance"] for h in held)
    rows = []
    for holding in held:
        user = users.get(owners.get(holding["wallet"].lower())) or {}
        rows.append(CapRow(holder=user.get("name") or user.get("email") or "Unknown wallet",
                           email=user.get("email") or "", wallet=holding["wallet"], balance=holding["balance"],
                           share_bps=share_bps(holding["balance"], total), frozen=holding.get("frozen") or 0,
                           wallet_frozen=bool(holding.get("isFrozen")),
                           locked=None if locked is None else locked.get(holding["wallet"].lower(), 0),
                           country=user.get("residenceCountry") or ""))
    return sorted(rows, key=lambda row: (-row.balance, row.wallet))


def orders_by_state(orders: list[dict]) -> list[tuple[str, int, int]]:
    """(state, count, total cents) for every state, in the order an order moves through them."""
    counts, totals = Counter(), Counter()
    for order in orders:
        state = order_state(order)
        counts[state] += 1
        totals[state] += int(order.get("totalAmount") or 0)
    return [(state, counts[state], totals[state]) for state in ORDER_STATES]


def pipeline_stage(whitelist: dict) -> int:
    """How far along PIPELINE the request went (1 = requested ... 5 = registered); 0 for a refused one."""
    status = whitelist.get("status")
    if status in (whitelisting.REJECTED, whitelisting.DECLINED, whitelisting.EXPIRED):
        return 0
    if status == whitelisting.APPROVED or whitelist.get("onChainRegistered"):
        return 5
    if whitelist.get("adminStatus") == whitelisting.APPROVED:
        return 4
    if whitelist.get("taStatus") == whitelisting.TA_APPROVED:
        return 3
    if status in (whitelisting.SIGNED, whitelisting.REMOVED) or whitelist.get("is_signed"):
        return 2
    return 1


def whitelist_pipeline(whitelists: list[dict]) -> dict:
    """How many requests reached each stage (a funnel: a registered one also counts as requested, signed, ...)
    and how many were refused (rejected, declined, expired)."""
    stages = [pipeline_stage(w) for w in whitelists]
    reached = [(key, label, sum(1 for s in stages if s >= index))
               for index, (key, label) in enumerate(PIPELINE, start=1)]
    return {"stages": reached, "refused": sum(1 for w, s in zip(whitelists, stages, strict=True) if s == 0),
            "total": len(whitelists)}


def raise_series(orders: list[dict]) -> list[tuple[datetime, int]]:
    """The cumulative amount raised (cents, fees excluded) at each settlement, in time order."""
    settled = sorted((o["settledAt"], int(o.get("amount") or 0)) for o in orders
                     if o.get("settledAt") and (o.get("isSettled") or o.get("isMinted")))
    series, running = [], 0
    for at, amount in settled:
        running += amount
        series.append((at, running))
    return series


def investor_positions(rows: list[CapRow], orders: list[dict], users: dict) -> list[dict]:
    """Each investor with their tokens on chain (all their wallets) and what they ordered (settled, cents)."""
    by_email: dict[str, dict] = {}
    for order in orders:
        if order_state(order) in ("cancelled",):
            continue
        user = users.get(order.get("userId")) or {}
        email = user.get("email") or order.get("investorEmail") or ""
        entry = by_email.setdefault(email, {"name": user.get("name") or email, "email": email, "tokens": 0,
                                            "ordered": 0, "paid": 0, "orders": 0,
                                            "country": user.get("residenceCountry") or ""})
        entry["orders"] += 1
        entry["ordered"] += int(order.get("amount") or 0)
        if order.get("isSettled") or order.get("isMinted"):
            entry["paid"] += int(order.get("amount") or 0)
    for row in rows:
        if row.email:
            by_email.setdefault(row.email, {"name": row.holder, "email": row.email, "tokens": 0, "ordered": 0,
                                            "paid": 0, "orders": 0, "country": row.country})["tokens"] += row.balance
    return sorted(by_email.values(), key=lambda entry: (-entry["tokens"], -entry["paid"], entry["email"]))
