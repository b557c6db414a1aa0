"""The investor's portfolio as pure folds over documents already loaded (no server needed to test them).

Money is integer cents, token amounts integer base units; NAV is cents per whole token, so a
value is `units * nav / 10**decimals`, rounded half up to the cent.

Cost basis (a rule stated on the page): what the investor paid for the tokens they hold,
fees included (fees are part of the cost of acquiring them), from their minted orders. When
fewer tokens are held than were minted (burned, transferred away), the units that left take
their average cost with them. Tokens received by transfer carry no known cost: gain is
computed only over the units bought through Libertum. Settled orders not minted yet are
shown apart as "awaiting minting", neither valued nor in the cost basis.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from app.chain.constants import ZERO_ADDRESS
from app.domain.nav.rules import nav_at
from app.domain.payments.rules import stablecoin_decimals
from app.formatting import labels, percent, units

LIVE_STATUSES = ("pending_payment", "payment_review", "settled")  # orders still moving: the page polls
STATUS_LABELS = labels.ORDER  # the one table (app/formatting/labels.py); mint_held: the token refused the mint
RECEIVED_DIVIDENDS = ("paid",)


# --- amounts ---------------------------------------------------------------------------------

def value_cents(base: int, nav: int, decimals: int) -> int:
    """Value of `base` units at `nav` cents per whole token, rounded half up to the cent."""
    scale = 10 ** decimals
    return (2 * base * nav + scale) // (2 * scale)


def ratio_bps(part: int, whole: int) -> int | None:
    """part / whole in basis points, truncated toward zero; None without a whole."""
    if whole <= 0:
        return None
    magnitude = abs(part) * 10_000 // whole
    return magnitude if part >= 0 else -magnitude


def signed_percent(bps: int | None) -> str:
    """Basis points with an explicit sign: 1250 -> "+12.5%", -75 -> "-0.75%", None -> "n/a"."""
    if bps is None:
        return "n/a"
    sign = "+" if bps > 0 else "-" if bps < 0 else ""
    return sign + percent(abs(bps))


def nav_of(offering: dict) -> int:
    details = offering.get("projectDetails") or {}
    return int(details.get("latestNav") or details.get("navLaunchPrice") or 0)


def decimals_of(offering: dict) -> int:
    return int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)


def title_of(offering: dict | None) -> str:
    if not offering:
        return "Unknown offering"
    return (offering.get("overview") or {}).get("title") or (offering.get("projectDetails") or {}).get(
        "offeringName") or "Untitled offering"


def ticker_of(offering: dict) -> str:
    return (offering.get("projectDetails") or {}).get("tokenTicker") or ""


def order_total(order: dict) -> int:
    """What the investor pays for an order in cents (totalAmount; older documents: amount + feeAmount)."""
    if order.get("totalAmount") is not None:
        return int(order["totalAmount"])
    return int(order.get("amount") or 0) + int(order.get("feeAmount") or 0)


def is_minted(order: dict) -> bool:
    return bool(order.get("isMinted")) or order.get("status") == "minted"


def is_awaiting_mint(order: dict) -> bool:
    return bool(order.get("isSettled")) and not is_minted(order) and order.get("status") != "cancelled"


# --- positions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Position:
    offering_id: str
    title: str
    ticker: str
    token: str
    decimals: int
    nav: int            # cents per whole token
    balance: int        # base units held, frozen ones included (still owned)
    frozen: int         # base units frozen by the agent
    wallet_frozen: bool  # a frozen wallet can move none of its tokens
    value: int          # cents at `nav`
    cost_basis: int | None  # cents; None when no held unit was bought through Libertum
    gain: int | None
    gain_bps: int | None
    awaiting_units: int   # settled, not minted yet
    awaiting_amount: int  # cents paid for them
    nav_change_bps: int | None = None  # the NAV against the launch NAV (None before any NAV update)

    @property
    def available(self) -> int:
        return 0 if self.wallet_frozen else max(self.balance - self.frozen, 0)


def _order_costs(orders: list[dict]) -> dict[str, dict]:
    """Per offering id: minted units and their cost, settled-but-unminted units and their cost."""
    costs: dict[str, dict] = defaultdict(lambda: {"minted": 0, "minted_cost": 0, "awaiting": 0, "awaiting_cost": 0})
    for order in orders:
        entry = costs[str(order.get("offeringId"))]
        if is_minted(order):
            entry["minted"] += int(order.get("quantity") or 0)
            entry["minted_cost"] += order_total(order)
        elif is_awaiting_mint(order):
            entry["awaiting"] += int(order.get("quantity") or 0)
            entry["awaiting_cost"] += order_total(order)
    return costs


def _held(holdings: list[dict], tokens: set[str]) -> dict[str, dict]:
    """Holdings summed per token over the investor's wallets (only offerings' tokens)."""
    held: dict[str, dict] = defaultdict(lambda: {"balance": 0, "frozen": 0, "wallet_frozen": False})
    for doc in holdings:
        if doc["token"] in tokens:
            entry = held[doc["token"]]
            entry["balance"] += int(doc.get("balance") or 0)
            entry["frozen"] += int(doc.get("frozen") or 0)
            entry["wallet_frozen"] = entry["wallet_frozen"] or bool(doc.get("isFrozen"))
    return held


def _position(offering: dict, held: dict, cost: dict) -> Position:
    decimals, nav, balance = decimals_of(offering), nav_of(offering), held["balance"]
    value = value_cents(balance, nav, decimals)
    known = min(balance, cost["minted"])
    if known > 0:
        basis = cost["minted_cost"] * known // cost["minted"]
        gain = value_cents(known, nav, decimals) - basis
        gain_bps = ratio_bps(gain, basis)
    else:
        basis = gain = gain_bps = None
    launch = int((offering.get("projectDetails") or {}).get("navLaunchPrice") or 0)
    return Position(str(offering["_id"]), title_of(offering), ticker_of(offering), offering.get("tokenAddress") or "",
                    decimals, nav, balance, held["frozen"], held["wallet_frozen"], value, basis, gain, gain_bps,
                    cost["awaiting"], cost["awaiting_cost"], ratio_bps(nav - launch, launch) if nav != launch else None)


def positions(holdings: list[dict], offerings: list[dict], orders: list[dict]) -> list[Position]:
    """One position per offering the investor holds tokens of or awaits tokens from, largest value first."""
    by_token = {o["tokenAddress"]: o for o in offerings if o.get("tokenAddress")}
    held = _held(holdings, set(by_token))
    costs = _order_costs(orders)
    empty = {"balance": 0, "frozen": 0, "wallet_frozen": False}
    result = []
    for offering in offerings:
        token_held = held.get(offering.get("tokenAddress") or "", empty)
        cost = costs.get(str(offering["_id"]), {"minted": 0, "minted_cost": 0, "awaiting": 0, "awaiting_cost": 0})
        if token_held["balance"] > 0 or token_held["frozen"] > 0 or cost["awaiting"] > 0:
            result.append(_position(offering, token_held, cost))
    return sorted(result, key=lambda p: (-p.value, p.title))


@dataclass(frozen=True)
class Totals:
    value: int
    cost_basis: int
    gain: int
    gain_bps: int | None
    awaiting_amount: int
    positions: int


def totals(held: list[Position]) -> Totals:
    basis = sum(p.cost_basis or 0 for p in held)
    gain = sum(p.gain or 0 for p in held)
    return Totals(sum(p.value for p in held), basis, gain, ratio_bps(gain, basis),
                  sum(p.awaiting_amount for p in held), sum(1 for p in held if p.balance > 0))


def allocation(held: list[Position]) -> list[tuple[str, int, int]]:
    """(title, value cents, basis points) per valued position; the largest remainders make the shares sum
    to exactly 10,000."""
    valued = [p for p in held if p.value > 0]
    total = sum(p.value for p in valued)
    if total == 0:
        return []
    raw = [(p.value * 10_000 // total, p.value * 10_000 % total, i) for i, p in enumerate(valued)]
    shares = [r[0] for r in raw]
    for _floor, _rest, i in sorted(raw, key=lambda r: (-r[1], r[2]))[: 10_000 - sum(shares)]:
        shares[i] += 1
    return [(p.title, p.value, share) for p, share in zip(valued, shares, strict=True)]


# --- chain events ----------------------------------------------------------------------------

def event_time(event: dict) -> datetime:
    """When an event happened: the block's timestamp when the event carries one, else when chain-sync
    stored it (seconds after the block while the monitor keeps up)."""
    stamp = event.get("blockTimestamp")
    if isinstance(stamp, int | str) and str(stamp).isdigit():
        return datetime.fromtimestamp(int(stamp), UTC)
    if isinstance(stamp, datetime):
        return stamp
    stored = event.get("storedAt")
    return stored if isinstance(stored, datetime) else datetime.fromtimestamp(0, UTC)


def _position_key(event: dict) -> tuple[int, int]:
    return int(event["blockNumber"]), int(event["logIndex"])


def _describe_transfer(args: dict, wallets: set[str]) -> tuple[str, int, str] | None:
    value, sender, receiver = int(args["value"]), args["from"], args["to"]
    if sender == ZERO_ADDRESS and receiver in wallets:
        return "Minted", value, ""
    if receiver == ZERO_ADDRESS and sender in wallets:
        return "Burned", -value, ""
    if sender in wallets and receiver in wallets:
        return "Moved between your wallets", 0, receiver
    if receiver in wallets:
        return "Received", value, sender
    if sender in wallets:
        return "Sent", -value, receiver
    return None


def _describe(event: dict, wallets: set[str]) -> tuple[str, int, str] | None:
    """(kind, signed base units, counterparty) of a token event for the investor; None if it is not theirs."""
    args, name = event.get("args") or {}, event["event"]
    if name == "Transfer":
        return _describe_transfer(args, wallets)
    if args.get("_userAddress") not in wallets:
        return None
    if name == "TokensFrozen":
        return "Tokens frozen", int(args["_amount"]), ""
    if name == "TokensUnfrozen":
        return "Tokens unfrozen", int(args["_amount"]), ""
    if name == "AddressFrozen":
        return ("Wallet frozen" if args.get("_isFrozen") else "Wallet unfrozen"), 0, ""
    return None


def transactions(events: list[dict], wallets: list[str], offerings: list[dict]) -> list[dict]:
    """The investor's token events of Libertum offerings, newest first, with their transaction hashes."""
    by_token = {o["tokenAddress"]: o for o in offerings if o.get("tokenAddress")}
    mine, rows = set(wallets), []
    for event in sorted(events, key=_position_key, reverse=True):
        offering = by_token.get(event.get("address"))
        described = _describe(event, mine) if offering and not event.get("retracted") else None
        if described is None:
            continue
        kind, amount, counterparty = described
        rows.append({"at": event_time(event), "offering": title_of(offering), "offering_id": str(offering["_id"]),
                     "ticker": ticker_of(offering), "kind": kind, "amount": amount,
                     "units": units(amount, decimals_of(offering)), "counterparty": counterparty,
                     "tx_hash": event.get("transactionHash") or "", "block": int(event["blockNumber"])})
    return rows


def _nav_timeline(offering: dict) -> list[tuple[datetime, int]]:
    history = sorted((entry["date"], int(entry["nav"])) for entry in offering.get("navHistory") or []
                     if isinstance(entry.get("date"), datetime) and entry.get("nav") is not None)
    return history


def value_series(events: list[dict], wallets: list[str], offerings: list[dict], now: datetime,
                 current_value: int) -> list[tuple[datetime, int]]:
    """Portfolio value over time: balances from the wallets' mint and transfer events, times each
    offering's NAV at that moment (navHistory; the launch price before its first entry). One point per
    change from the first token received, and `now` at the current value (the holdings projection's)."""
    by_token = {o["tokenAddress"]: o for o in offerings if o.get("tokenAddress")}
    mine = set(wallets)
    steps: list[tuple[datetime, int, str, int]] = []  # (at, order: balance 0 / nav 1, token, delta or nav)
    for event in sorted(events, key=_position_key):
        if event["event"] == "Transfer" and event.get("address") in by_token and not event.get("retracted"):
            described = _describe(event, mine)
            if described and described[1]:
                steps.append((event_time(event), 0, event["address"], described[1]))
    if not steps:
        return []
    first = steps[0][0]
    for token, offering in by_token.items():
        steps.extend((at, 1, token, nav) for at, nav in _nav_timeline(offering) if first <= at <= now)
    steps.sort(key=lambda s: (s[0], s[1]))
    balances: dict[str, int] = defaultdict(int)
    navs = {token: _nav_before(offering, first) for token, offering in by_token.items()}
    series: list[tuple[datetime, int]] = []
    for at, kind, token, amount in steps:
        if kind == 0:
            balances[token] += amount
        else:
            navs[token] = amount
        value = sum(value_cents(balance, navs[t], decimals_of(by_token[t])) for t, balance in balances.items())
        if series and series[-1][0] == at:
            series[-1] = (at, value)
        else:
            series.append((at, value))
    if series[-1][0] < now:
        series.append((now, current_value))
    return series


def _nav_before(offering: dict, moment: datetime) -> int:
    """NAV in force at `moment`: the last history entry at or before it, else the launch price (nav.rules.nav_at)."""
    details = offering.get("projectDetails") or {}
    return nav_at(offering.get("navHistory") or [], int(details.get("navLaunchPrice") or details.get("latestNav") or 0),
                  moment)


# --- orders and dividends ----------------------------------------------------------------------

def _placed(order: dict) -> datetime:
    placed = order.get("orderReceived") or order.get("createdAt")
    return placed if isinstance(placed, datetime) else datetime.fromtimestamp(0, UTC)


def order_rows(orders: list[dict], offerings: list[dict]) -> list[dict]:
    """The investor's orders, newest first, with what the page and the export show."""
    by_id = {str(o["_id"]): o for o in offerings}
    rows = []
    for order in sorted(orders, key=_placed, reverse=True):
        offering = by_id.get(str(order.get("offeringId"))) or {}
        status = "minted" if is_minted(order) else order.get("status") or "pending_payment"
        if status == "settled" and order.get("mintHeld"):
            status = "mint_held"
        rows.append({
            "id": str(order["_id"]), "placed": _placed(order), "offering": title_of(offering),
            "quantity": int(order.get("quantity") or 0),
            "units": units(int(order.get("quantity") or 0), decimals_of(offering)),
            "price": int(order.get("price") or 0), "amount": int(order.get("amount") or 0),
            "fee": int(order.get("feeAmount") or 0), "total": order_total(order),
            "method": order.get("paymentMethod") or "", "status": status,
            "status_label": STATUS_LABELS.get(status, status.replace("_", " ").capitalize()),
            "live": status in LIVE_STATUSES, "reference": order.get("paymentReference") or "",
            "due": units(int(order.get("paymentDue") or 0), stablecoin_decimals(order)),
            "pay_to": order.get("paymentAddress") or "",
            "flag": order.get("paymentFlag") or "", "flag_reason": order.get("paymentFlagReason") or "",
            "frozen": bool(order.get("isFreezed")), "tx_hash": order.get("tx_hash") or "",
            "minted_at": order.get("orderMinted"), "wallet": order.get("walletAddress") or "",
            "cancel_reason": order.get("cancelReason") or ""})
    return rows


def dividend_rows(dividends: list[dict], offerings: list[dict]) -> tuple[list[dict], int]:
    """Dividends of the investor's wallets, newest first, and the total received (status "paid")."""
    by_id = {str(o["_id"]): o for o in offerings}
    rows = []
    for doc in dividends:
        offering = by_id.get(str(doc.get("offeringId")))
        status = str(doc.get("status") or "")
        rows.append({"offering": doc.get("offeringName") or title_of(offering), "type": doc.get("dividendType") or "",
                     "amount": int(doc.get("dividendAmount") or 0), "status": status or "declared",
                     "received": status.lower() in RECEIVED_DIVIDENDS, "wallet": doc.get("walletAddress") or "",
                     "declared": doc.get("declarationDate"), "record": doc.get("recordDate"),
                     "method": doc.get("paymentMethod") or ""})
    epoch = datetime.fromtimestamp(0, UTC)
    rows.sort(key=lambda r: r["record"] or r["declared"] or epoch, reverse=True)
    return rows, sum(r["amount"] for r in rows if r["received"])
