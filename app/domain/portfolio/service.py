"""The portfolio pages' loader: the signed-in investor's documents, then the pure folds of app.domain.portfolio.rules.

Only the investor's own data: holdings, dividends and chain events are read for the wallets
they proved (userdetails), orders by their user id. Each page loads only what it shows.

Cost: on MongoDB each query below is answered from an index. FerretDB v1 (SQLite) uses no
index for reads (it pushes down only `{_id: value}`, and even that is a table scan, as its
`_id` index is on another SQLite expression): every query is one scan of its collection,
so each collection is read with one query (never one per wallet or row), and offerings
with one query for all tokens and orders. Chain events are the largest collection, so the
overview fetches its value chart separately (htmx) and the totals never wait for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.data import chain_events, dividends, holdings, offerings, orders, user_details, users
from app.data.mongo import get_db
from app.domain.platform.charts import share_bar, time_line_chart
from app.domain.portfolio import csv_export as portfolio_csv
from app.domain.portfolio import rules as portfolio
from app.domain.transfers import standing


def _wallets(db, user_id) -> list[str]:
    return user_details.verified_wallets(db, user_id)


def _offerings(db, tokens, order_docs: list[dict]) -> list[dict]:
    ids = sorted({o["offeringId"] for o in order_docs if o.get("offeringId")})
    return offerings.by_tokens_or_ids(db, sorted(set(tokens)), ids)


def _positions(db, user_id, loaded: dict | None = None) -> tuple[list[str], list[portfolio.Position], list[dict]]:
    wallets = _wallets(db, user_id)
    held = holdings.of_wallets(db, wallets)
    own_orders = orders.of_user(db, user_id)
    found = _offerings(db, [doc["token"] for doc in held], own_orders)
    if loaded is not None:  # the overview also says whether each holding can move (app.domain.transfers.standing)
        loaded.update(held=held, offerings={d["tokenAddress"]: d for d in found if d.get("tokenAddress")})
    return wallets, portfolio.positions(held, found, own_orders), own_orders


def overview(config: dict, user_id, now: datetime | None = None) -> dict:
    """Totals, allocation and holdings per offering, and whether each holding's tokens can move (the value
    chart comes from `value_chart`)."""
    db, loaded = get_db(config), {}
    wallets, held, own_orders = _positions(db, user_id, loaded)
    shares = portfolio.allocation(held)
    moves = standing.of_holdings(config, db, loaded["held"], loaded["offerings"], users.by_id(db, user_id),
                                 now or datetime.now(UTC))
    return {"wallets": wallets, "positions": held, "totals": portfolio.totals(held), "allocation": shares,
            "allocation_bar": share_bar([(title, bps) for title, _value, bps in shares]),
            "has_orders": bool(own_orders), "moves": moves}


def value_chart(config: dict, user_id, now: datetime | None = None):
    """The value-over-time chart (LineChart, or None before two distinct moments)."""
    db = get_db(config)
    wallets = _wallets(db, user_id)
    held = holdings.of_wallets(db, wallets)
    events = chain_events.of_wallets(db, wallets)
    found = _offerings(db, [doc["token"] for doc in held] + [e["address"] for e in events], [])
    current = portfolio.totals(portfolio.positions(held, found, [])).value
    return time_line_chart(portfolio.value_series(events, wallets, found, now or datetime.now(UTC), current))


def order_list(config: dict, user_id) -> dict:
    db = get_db(config)
    own_orders = orders.of_user(db, user_id)
    rows = portfolio.order_rows(own_orders, _offerings(db, [], own_orders))
    return {"wallets": _wallets(db, user_id), "orders": rows, "live": any(r["live"] for r in rows)}


def transaction_list(config: dict, user_id) -> dict:
    db = get_db(config)
    wallets = _wallets(db, user_id)
    events = chain_events.of_wallets(db, wallets)
    found = _offerings(db, [e["address"] for e in events], [])
    from app.domain.distributions import statements  # late: it reads the portfolio's rules
    return {"wallets": wallets, "transactions": portfolio.transactions(events, wallets, found),
            "distribution_payments": statements.payments_received(config, user_id)}


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
        return portfolio_csv.holdings_csv(_positions(get_db(config), user_id)[1])
    if kind == "orders":
        return portfolio_csv.orders_csv(order_list(config, user_id)["orders"])
    if kind == "transactions":
        return portfolio_csv.transactions_csv(transaction_list(config, user_id)["transactions"])
    raise ValueError(f"unknown export {kind!r}")
