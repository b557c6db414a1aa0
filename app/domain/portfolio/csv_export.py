"""CSV exports of the portfolio (holdings, orders, transactions), safe to open in a spreadsheet.

CSV injection: a text cell starting with = + - @ or a tab / carriage return would be run as a
formula by Excel or LibreOffice, so such cells get a leading apostrophe (OWASP's advice).
Numbers are written as numbers (integers in cents or token base units; decimals as exact text
from Decimal), so a negative amount stays a number.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

from app.domain.portfolio.rules import Position

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KINDS = ("holdings", "orders", "transactions")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet shows as text or a number, never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")  # plain digits: str() would write 5E-18
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _tokens(base: int, decimals: int) -> Decimal:
    """Whole tokens from base units, exactly (built from text: Decimal arithmetic would round to 28 digits)."""
    return Decimal(f"{int(base)}e-{int(decimals)}")


def _write(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def holdings_csv(held: list[Position]) -> str:
    header = ["offering", "ticker", "token", "tokens", "frozen tokens", "wallet frozen", "nav cents",
              "value cents", "cost basis cents (fees included)", "gain cents", "tokens awaiting minting"]
    rows = [[p.title, p.ticker, p.token, _tokens(p.balance, p.decimals), _tokens(p.frozen, p.decimals),
             p.wallet_frozen, p.nav, p.value, p.cost_basis, p.gain, _tokens(p.awaiting_units, p.decimals)]
            for p in held]
    return _write(header, rows)


def orders_csv(rows: list[dict]) -> str:
    header = ["order", "placed", "offering", "quantity (base units)", "price cents", "amount cents", "fee cents",
              "total cents", "payment method", "status", "payment reference", "payment flag", "frozen", "wallet",
              "mint transaction", "minted"]
    return _write(header, [[r["id"], r["placed"], r["offering"], r["quantity"], r["price"], r["amount"], r["fee"],
                            r["total"], r["method"], r["status"], r["reference"], r["flag"], r["frozen"],
                            r["wallet"], r["tx_hash"], r["minted_at"]] for r in rows])


def transactions_csv(rows: list[dict]) -> str:
    header = ["time", "offering", "ticker", "kind", "amount (base units)", "counterparty", "block", "transaction"]
    return _write(header, [[r["at"], r["offering"], r["ticker"], r["kind"], r["amount"], r["counterparty"],
                            r["block"], r["tx_hash"]] for r in rows])
