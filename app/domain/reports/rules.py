"""Report figures from plain documents. Pure: no server needed.

Money is integer minor units, token amounts integer base units (stored as decimal strings, read as int
through app/data/amounts.py; `as_int` reads either). Every report is a (header, rows) table, so the page
and the CSV show the same figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from app.chain.constants import ZERO_ADDRESS
from app.domain.issuer_dashboard.rules import order_state, whitelist_pipeline
from app.formatting.numbers import units

REPORTS = {
    "investors": "Investors by country and type",
    "raise": "Raise by month",
    "orders": "Orders by state and payment method",
    "kyc": "KYC funnel and review times",
    "whitelist": "Whitelist funnel",
    "distributions": "Distributions paid",
    "transfers": "Transfers",
}
KYC_STAGES = (("signed_up", "Signed up"), ("submitted", "KYC submitted"), ("approved", "Approved"),
              ("rejected", "Rejected"), ("waiting", "Waiting for a decision"))


def as_int(value) -> int:
    """An amount stored as an int or a decimal string (never a float)."""
    if value is None or value == "":
        return 0
    return int(value) if isinstance(value, int | str) and str(value).lstrip("-").isdigit() else 0


def aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def investors_table(investors: list[dict], details: dict) -> tuple[list[str], list[list]]:
    """Investors counted by country of residence and account type (individual or institution)."""
    counts = Counter(((user.get("residenceCountry") or "unknown"),
                      ((details.get(user["_id"]) or {}).get("accountType") or "individual")) for user in investors)
    rows = [[country, kind, count] for (country, kind), count in sorted(counts.items())]
    return ["country", "account type", "investors"], rows


def raise_table(orders: list[dict]) -> tuple[list[str], list[list]]:
    """Settled (or minted) orders by the month they were paid: count, amount and fees, cents."""
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for order in orders:
        if order.get("settledAt") and (order.get("isSettled") or order.get("isMinted")):
            month = aware(order["settledAt"]).strftime("%Y-%m")
            months[month][0] += 1
            months[month][1] += as_int(order.get("amount"))
            months[month][2] += as_int(order.get("feeAmount"))
    rows, running = [], 0
    for month in sorted(months):
        count, amount, fees = months[month]
        running += amount
        rows.append([month, count, amount, fees, running])
    return ["month", "orders paid", "amount cents", "fees cents", "cumulative amount cents"], rows


def orders_table(orders: list[dict]) -> tuple[list[str], list[list]]:
    """Orders by state and payment method: count and total (fees included), cents."""
    counts, totals = Counter(), Counter()
    for order in orders:
        key = (order_state(order), order.get("paymentMethod") or "unknown")
        counts[key] += 1
        totals[key] += as_int(order.get("totalAmount"))
    return ["state", "payment method", "orders", "total cents"], [[s, m, counts[(s, m)], totals[(s, m)]]
                                                                   for s, m in sorted(counts)]


def kyc_table(investors: list[dict], details: dict) -> tuple[list[str], list[list]]:
    """How far investors got through KYC, and the time from submission to decision (hours, median and mean)."""
    reached = Counter()
    hours: list[float] = []
    for user in investors:
        status = user.get("kycStatus") or "notStarted"
        submitted_at = (details.get(user["_id"]) or {}).get("submittedAt")
        reached["signed_up"] += 1
        if submitted_at or status not in ("notStarted", "inProgress"):
            reached["submitted"] += 1
        if status == "approved":
            reached["approved"] += 1
        elif status == "rejected":
            reached["rejected"] += 1
        elif status in ("submitted", "pending"):
            reached["waiting"] += 1
        decided = _kyc_decided_at(user)
        if submitted_at and decided and status in ("approved", "rejected"):
            hours.append(max(0.0, (decided - aware(submitted_at)).total_seconds() / 3600))
    rows = [[label, reached[key]] for key, label in KYC_STAGES]
    rows.append(["Review time, median (hours)", round(_median(hours), 1) if hours else ""])
    rows.append(["Review time, mean (hours)", round(sum(hours) / len(hours), 1) if hours else ""])
    return ["stage", "investors"], rows


def _kyc_decided_at(user: dict) -> datetime | None:
    """When the last KYC decision was applied (`kycEventAt`, "%Y-%m-%d %H:%M:%S.%f" UTC); None if unreadable."""
    text = user.get("kycEventAt")
    if not isinstance(text, str):
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text[:26], pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def whitelist_table(whitelists: list[dict]) -> tuple[list[str], list[list]]:
    funnel = whitelist_pipeline(whitelists)
    rows = [[label, count] for _key, label, count in funnel["stages"]]
    rows.append(["Rejected, declined or expired", funnel["refused"]])
    return ["stage reached", "requests"], rows


def distributions_table(dividends: list[dict]) -> tuple[list[str], list[list]]:
    """Each distribution line (seed `dividends`): offering, record date, wallet, amount (minor units), status."""
    rows = [[d.get("offeringName") or str(d.get("offeringId") or ""), d.get("recordDate"), d.get("walletAddress"),
             d.get("dividendType") or "", d.get("paymentMethod") or "", as_int(d.get("dividendAmount")),
             d.get("status") or ""]
            for d in sorted(dividends, key=lambda d: (str(d.get("offeringId")), str(d.get("recordDate"))))]
    paid = sum(row[5] for row in rows if row[6] == "paid")
    rows.append(["total paid", "", "", "", "", paid, "paid"])
    return ["offering", "record date", "wallet", "type", "payment method", "amount cents", "status"], rows


@dataclass(frozen=True)
class TokenAmount:
    """A token amount as its offering's token counts it: exact, from integer base units and the token's decimals.

    The CSV writes it as plain decimal text (str); the page groups its thousands (app.formatting.units)."""

    base: int
    decimals: int

    def __str__(self) -> str:
        return units(self.base, self.decimals, grouping=False)


def token_decimals(offerings: list[dict]) -> dict:
    """Each offering's token decimals, by offering id and by token address (lower case), from one look-up."""
    found = {}
    for offering in offerings:
        decimals = as_int((offering.get("projectDetails") or {}).get("tokenDecimals"))
        found[offering["_id"]] = decimals
        if offering.get("tokenAddress"):
            found[offering["tokenAddress"].lower()] = decimals
    return found


def event_time(event: dict) -> datetime | str:
    """When a chain event happened for people: its block's timestamp when the chain monitor sent it, else the
    block number in words."""
    stamp = event.get("blockTimestamp")
    if stamp is not None and str(stamp).isdigit():
        return datetime.fromtimestamp(int(stamp), UTC)
    return f"block {event.get('blockNumber')}" if event.get("blockNumber") is not None else ""


TRANSFERS_HEADER = ["kind", "when", "status", "forced", "from wallet", "to wallet", "tokens", "token base units",
                    "transaction"]


def transfers_table(requests: list[dict], events: list[dict], decimals: dict) -> tuple[list[str], list[list]]:
    """Transfer requests (seed `transferrequets`) and the tokens' Transfer events on chain (mints and burns named).

    `decimals` (token_decimals) gives each offering's and token's decimals; amounts show in tokens and, exactly,
    in base units."""
    def amount(base: int, key) -> TokenAmount:
        return TokenAmount(base, decimals.get(key, 0))

    rows = []
    for r in sorted(requests, key=lambda r: str(r.get("createdAt"))):
        base = as_int(r.get("tokenQuantity"))
        rows.append(["request", r.get("createdAt"), r.get("status") or "", "forced" if r.get("isForceTransfer") else "",
                     r.get("walletAddress") or "", r.get("newWalletAddress") or "", amount(base, r.get("offeringId")),
                     base, ""])
    for event in events:
        args = event.get("args") or {}
        kind = "mint" if args.get("from") == ZERO_ADDRESS else "burn" if args.get("to") == ZERO_ADDRESS else "transfer"
        base = as_int(args.get("value"))
        rows.append(["chain " + kind, event_time(event), "mined", "", args.get("from"), args.get("to"),
                     amount(base, str(event.get("address") or "").lower()), base, event.get("transactionHash") or ""])
    return TRANSFERS_HEADER, rows
