"""What investors see of distributions: the paid-line mail, their upcoming and received lines with the waterfall,
and the yearly statement (distributions gross / withheld / net, cost basis and holdings at year end)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from flask import current_app

from app.data import amounts, distributions, dividends, users
from app.data import offerings as offerings_data
from app.data.mongo import get_db
from app.domain.distributions import rules
from app.domain.platform.notifications import send_email
from app.domain.portfolio import rules as portfolio_rules
from app.formatting import units


def mail_paid(config: dict, line_id: str) -> None:
    """Tell the holder their line is paid: once per line (the outbox key), however often chain-sync replays."""
    db = get_db(config)
    line = dividends.by_id(db, line_id)
    if not line or line.get("status") != dividends.PAID or not line.get("userId"):
        return
    investor = users.by_id(db, line["userId"])
    if not investor or not investor.get("email"):
        return
    dist = distributions.by_id(db, line["distributionId"]) or {}
    title = line.get("offeringName") or dist.get("offeringName") or "An offering"
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    send_email(investor["email"], f"Libertum: {title} paid your distribution", "distribution_paid",
               {"offering_title": title, "net": int(line.get("dividendAmount") or 0),
                "gross": int(line.get("grossAmount") or 0), "withheld": int(line.get("withheldAmount") or 0),
                "kind": rules.DIVIDEND_TYPES.get(line.get("dividendType"), "distribution").lower(),
                "wallet": line.get("walletAddress"), "tx_hash": line.get("txHash"),
                "bank_reference": line.get("bankReference"), "portfolio_url": f"{base}/portfolio/distributions"},
               investor["_id"], key=f"distribution-paid:{line_id}")


# ---- the investor's distributions ---------------------------------------------------------------------------------

UPCOMING = (dividends.DECLARED, dividends.SCHEDULED, dividends.HELD, dividends.REORGED)
STATUS_WORDS = {dividends.DECLARED: "Declared", dividends.SCHEDULED: "Being paid", dividends.PAID: "Paid",
                dividends.HELD: "Held", dividends.REORGED: "Being checked"}


def investor_view(config: dict, user_id) -> dict:
    """Per offering: upcoming and received lines, each with its distribution's waterfall and gross/withheld/net."""
    db = get_db(config)
    lines = _lines_of(db, user_id)
    dists = {d: distributions.by_id(db, d) or {} for d in {line["distributionId"] for line in lines}}
    offerings_view: dict[str, dict] = {}
    for line in sorted(lines, key=lambda line: _aware(line["recordDate"]), reverse=True):
        entry = offerings_view.setdefault(str(line["offeringId"]), {"name": line.get("offeringName") or "Offering",
                                                                    "upcoming": [], "received": [], "net": 0})
        dist = dists.get(line["distributionId"]) or {}
        row = {"line": line, "distribution": dist, "waterfall": dist.get("waterfall") or {},
               "kind": rules.DIVIDEND_TYPES.get(line.get("dividendType"), "Distribution"),
               "status": STATUS_WORDS.get(line["status"], line["status"])}
        if line["status"] == dividends.PAID:
            entry["received"].append(row)
            entry["net"] += int(line["dividendAmount"])
        elif line["status"] in UPCOMING:
            entry["upcoming"].append(row)
    years = sorted({_aware(line["paidAt"]).year for line in lines if line.get("paidAt")}, reverse=True)
    return {"offerings": list(offerings_view.values()), "years": years,
            "received": sum(o["net"] for o in offerings_view.values())}


def _lines_of(db, user_id) -> list[dict]:
    """The user's lines: written with their user id at the snapshot, or to one of their wallets."""
    from app.data import user_details  # the wallets, for lines written before the owner was known

    found = {line["_id"]: line for line in dividends.of_user(db, user_id)}
    wallets = user_details.verified_wallets(db, user_id)
    for line in dividends.of_wallets(db, wallets):
        if line.get("distributionId") is not None:
            found.setdefault(line["_id"], line)
    return list(found.values())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---- the yearly statement -----------------------------------------------------------------------------------------

def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 Jan 00:00 UTC, next 1 Jan 00:00 UTC) of `year`."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def parse_year(text: object, now: datetime | None = None) -> int | None:
    """A statement year typed or in the address: 2000 up to this year; None otherwise."""
    raw = str(text or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        return None
    year = int(raw)
    return year if 2000 <= year <= (now or datetime.now(UTC)).year else None


def paid_in_year(lines: list[dict], year: int) -> list[dict]:
    """Lines paid within the year, oldest first (pure)."""
    start, end = year_bounds(year)
    paid = [line for line in lines if line.get("status") == dividends.PAID and line.get("paidAt")
            and start <= _aware(line["paidAt"]) < end]
    return sorted(paid, key=lambda line: _aware(line["paidAt"]))


def balances_at(events: list[dict], wallets: set[str], moment: datetime) -> dict[str, int]:
    """Token -> the wallets' summed balance from their Transfer events stamped before `moment` (pure)."""
    cutoff = int(moment.timestamp())
    held: dict[str, int] = defaultdict(int)
    for event in events:
        if event.get("event") != "Transfer" or event.get("blockTimestamp") is None:
            continue
        if int(event["blockTimestamp"]) >= cutoff:
            continue
        args, amount = event["args"], amounts.load(event["args"]["value"])
        if args["to"] in wallets:
            held[event["address"]] += amount
        if args["from"] in wallets:
            held[event["address"]] -= amount
    return {token: balance for token, balance in held.items() if balance}


def cost_basis(orders: list[dict], balance: int, moment: datetime) -> int | None:
    """Cents paid for the held units bought through Libertum by `moment` (average cost, as the portfolio), or None
    when none of them was (pure)."""
    minted = [o for o in orders if portfolio_rules.is_minted(o) and o.get("orderMinted")
              and _aware(o["orderMinted"]) < moment]
    units = sum(int(o.get("quantity") or 0) for o in minted)
    known = min(balance, units)
    if known <= 0:
        return None
    return sum(portfolio_rules.order_total(o) for o in minted) * known // units


def yearly(config: dict, user_id, year: int) -> dict:
    """The tax pack of `year`: each distribution paid (gross, withheld, net), the totals, and per offering the
    tokens held at year end with their cost basis."""
    db = get_db(config)
    lines = paid_in_year(_lines_of(db, user_id), year)
    _, end = year_bounds(year)
    from app.data import chain_events, orders, user_details

    wallets = set(user_details.verified_wallets(db, user_id))
    held = balances_at(chain_events.of_wallets(db, sorted(wallets)), wallets, end)
    own_orders = orders.of_user(db, user_id)
    found = offerings_data.by_tokens_or_ids(db, sorted(held), sorted({o["offeringId"] for o in own_orders
                                                                      if o.get("offeringId")}))
    holdings_rows = []
    for offering in found:
        token = offering.get("tokenAddress")
        if not token or not held.get(token):
            continue
        mine = [o for o in own_orders if o.get("offeringId") == offering["_id"]]
        holdings_rows.append({"offering": portfolio_rules.title_of(offering), "token": token,
                              "decimals": portfolio_rules.decimals_of(offering), "balance": held[token],
                              "costBasis": cost_basis(mine, held[token], end)})
    rows = [{"paidAt": _aware(line["paidAt"]), "offering": line.get("offeringName") or "",
             "kind": rules.DIVIDEND_TYPES.get(line.get("dividendType"), "Distribution"),
             "gross": int(line.get("grossAmount") or 0), "withheld": int(line.get("withheldAmount") or 0),
             "net": int(line["dividendAmount"]), "rate": int(line.get("withholdingRate") or 0),
             "country": line.get("country") or "", "method": rules.PAYMENT_METHODS.get(line.get("paymentMethod"), ""),
             "reference": line.get("txHash") or line.get("bankReference") or ""} for line in lines]
    totals = {k: sum(r[k] for r in rows) for k in ("gross", "withheld", "net")}
    holdings_rows.sort(key=lambda h: h["offering"])
    return {"year": year, "rows": rows, "totals": totals, "holdings": holdings_rows,
            "costBasis": sum(h["costBasis"] or 0 for h in holdings_rows)}


STATEMENT_HEADER = ["section", "date", "offering", "kind", "gross", "withheld", "net", "withholding rate",
                    "country", "paid by", "reference", "tokens held at year end", "cost basis"]


def yearly_csv(statement: dict) -> str:
    """The statement as CSV: amounts as plain decimals of the platform currency, formula-safe text cells."""
    from app.domain.issuer_dashboard.exports import write

    def money(cents: int | None) -> str:
        return "" if cents is None else f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"

    rows = [["distribution", r["paidAt"].date().isoformat(), r["offering"], r["kind"], money(r["gross"]),
             money(r["withheld"]), money(r["net"]), f"{r['rate'] / 100:.2f}%", r["country"], r["method"],
             r["reference"], "", ""] for r in statement["rows"]]
    rows.append(["total", "", "", "", money(statement["totals"]["gross"]), money(statement["totals"]["withheld"]),
                 money(statement["totals"]["net"]), "", "", "", "", "", ""])
    rows += [["holding", f"{statement['year']}-12-31", h["offering"], "", "", "", "", "", "", "", h["token"],
              units(h["balance"], h["decimals"], exact=True, grouping=False), money(h["costBasis"])]
             for h in statement["holdings"]]
    return write(STATEMENT_HEADER, rows)


def payments_received(config: dict, user_id) -> list[dict]:
    """The investor's paid lines for the transactions record, newest first: time, offering, net, how it was paid."""
    db = get_db(config)
    paid = [line for line in _lines_of(db, user_id) if line["status"] == dividends.PAID and line.get("paidAt")]
    return [{"at": _aware(line["paidAt"]), "offering": line.get("offeringName") or "",
             "kind": rules.DIVIDEND_TYPES.get(line.get("dividendType"), "Distribution"),
             "net": int(line["dividendAmount"]), "tx_hash": line.get("txHash") or "",
             "bank_reference": line.get("bankReference") or "", "wallet": line.get("walletAddress") or ""}
            for line in sorted(paid, key=lambda line: _aware(line["paidAt"]), reverse=True)]
