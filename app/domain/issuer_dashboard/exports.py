"""CSV exports of the dashboard, safe to open in a spreadsheet (app.domain.portfolio.csv_export.safe_cell:
a text cell that a spreadsheet would run as a formula gets a leading apostrophe).

Token amounts are written twice: exact whole tokens (decimal text, never a float) and base units.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from app.domain.issuer_dashboard.rules import CapRow
from app.domain.portfolio.csv_export import safe_cell

CAP_TABLE_HEADER = ["holder", "email", "wallet", "tokens", "token base units", "percentage of supply", "frozen tokens",
                    "wallet frozen", "locked tokens", "country"]


def whole_tokens(base: int, decimals: int) -> Decimal:
    """Whole tokens from base units, exactly (built from text: Decimal arithmetic would round to 28 digits)."""
    return Decimal(f"{int(base)}e-{int(decimals)}")


def percentage(bps: int) -> str:
    """Basis points as a percentage with two decimals: 1234 -> "12.34"."""
    return f"{bps // 100}.{bps % 100:02d}"


def write(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


# the locked cell when no amount was read: the suite has no lock-up module, or the node did not answer
LOCKUP_TEXT = {"none": "no lock-up", "unreadable": "not read (chain unavailable)"}


def locked_cell(locked: int | None, decimals: int, lockup: str = "none") -> Decimal | str:
    return LOCKUP_TEXT.get(lockup, LOCKUP_TEXT["none"]) if locked is None else whole_tokens(locked, decimals)


def cap_table_csv(rows: list[CapRow], decimals: int, lockup: str = "on") -> str:
    return write(CAP_TABLE_HEADER, [
        [row.holder, row.email, row.wallet, whole_tokens(row.balance, decimals), row.balance, percentage(row.share_bps),
         whole_tokens(row.frozen, decimals), row.wallet_frozen, locked_cell(row.locked, decimals, lockup), row.country]
        for row in rows])
