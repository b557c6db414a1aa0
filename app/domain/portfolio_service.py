"""The portfolio pages' loader: the signed-in investor's documents, then the pure folds of app.domain.portfolio.

Only the investor's own data: holdings, dividends and chain events are queried by the
wallets they proved (userdetails), orders by their user id. One query per collection, each
answered from an index on MongoDB; offerings come in one query for all tokens and orders,
never one per row. FerretDB v1 (SQLite) pushes down only `{_id: value}` filters, so there
each of these queries is one scan of its collection: one, not one per wallet or row.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.data import chain_events, dividends, holdings, offerings, orders, user_details
from app.data.mongo import get_db
from app.domain import portfolio, portfolio_csv
from app.domain.charts import share_bar, time_line_chart


def _wallets(db, user_id) -> list[str]:
    return user_details.verified_wallets(db, user_id)


def _load(db, user_id, *, with_events: bool) -> dict:
    wallets = _wallets(db, user_id)
    held = holdings.of_wallets(db, wallets)
    own_orders = orders.of_user(db, user_id)
    events = chain_events.of_wallets(db, wallets) if with_events else []
    tokens = sorted({doc["token"] for doc in held} | {doc["address"] for doc in events})
    offering_ids = sorted({o["offeringId"] for o in own_orders if o.get("offeringId")})
    return {"wallets": wallets, "holdings": held, "orders": own_orders, "events": events,
            "offerings": offerings.by_tokens_or_ids(db, tokens, offering_ids)}


def overview(config: dict, user_id, now: datetime | None = None) -> dict:
    """Totals, allocation, value over time and holdings per offering."""
    now = now or datetime.now(UTC)
    docs = _load(get_db(config), user_id, with_events=True)
    held = portfolio.positions(docs["holdings"], docs["offerings"], docs["orders"])
    totals = portfolio.totals(held)
    shares = portfolio.allocation(held)
    series = portfolio.value_series(docs["events"], docs["wallets"], docs["offerings"], now, totals.value)
    return {"wallets": docs["wallets"], "positions": held, "totals": totals, "allocation": shares,
            "allocation_bar": share_bar([(title, bps) for title, _value, bps in shares]),
            "value_chart": time_line_chart(series), "has_orders": bool(docs["orders"])}


def order_list(config: dict, user_id) -> dict:
    docs = _load(get_db(config), user_id, with_events=False)
    rows = portfolio.order_rows(docs["orders"], docs["offerings"])
    return {"wallets": docs["wallets"], "orders": rows, "live": any(r["live"] for r in rows)}


def transaction_list(config: dict, user_id) -> dict:
    docs = _load(get_db(config), user_id, with_events=True)
    return {"wallets": docs["wallets"],
            "transactions": portfolio.transactions(docs["events"], docs["wallets"], docs["offerings"])}


def dividend_list(config: dict, user_id) -> dict:
    db = get_db(config)
    wallets = _wallets(db, user_id)
    found = dividends.of_wallets(db, wallets)
    named = offerings.by_tokens_or_ids(db, [], sorted({d["offeringId"] for d in found if d.get("offeringId")}))
    rows, received = portfolio.dividend_rows(found, named)
    return {"wallets": wallets, "dividends": rows, "received": received}


def export(config: dict, user_id, kind: str) -> str:
    """One of portfolio_csv.KINDS as CSV text."""
    if kind == "holdings":
        docs = _load(get_db(config), user_id, with_events=False)
        return portfolio_csv.holdings_csv(portfolio.positions(docs["holdings"], docs["offerings"], docs["orders"]))
    if kind == "orders":
        return portfolio_csv.orders_csv(order_list(config, user_id)["orders"])
    if kind == "transactions":
        return portfolio_csv.transactions_csv(transaction_list(config, user_id)["transactions"])
    raise ValueError(f"unknown export {kind!r}")
