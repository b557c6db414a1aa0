"""The transactions record as CSV (formula-safe cells: app.domain.portfolio.csv_export.safe_cell)."""

from __future__ import annotations

from app.domain.issuer_dashboard.exports import write

HEADER = ["job", "purpose", "operation", "state", "reason", "transaction", "block", "gas used", "created",
          "finished", "related"]


def record_csv(rows: list[dict]) -> str:
    return write(HEADER, [[row["id"], row["purpose"], row["label"] or row["op"], row["state"], row["reason"],
                           row["tx_hash"], row["block"], row["gas"], row["created"], row["finished"],
                           "; ".join(f"{what} {ref}" for what, ref, _endpoint, _arg in row["related"])]
                          for row in rows])


PAYMENT_HEADER = ["received", "order", "reference", "investor", "offering", "kind", "amount", "amount unit",
                  "source", "order status"]


def payments_csv(rows: list[dict]) -> str:
    """Amounts as recorded: cents for bank transfers, stablecoin base units (with their decimals) otherwise."""
    return write(PAYMENT_HEADER, [[row["at"], row["order"], row["reference"], row["investor"], row["offering"],
                                   row["kind"], row["amount"],
                                   "cents" if row["kind"] == "fiat" else f"base units ({row['decimals']} decimals)",
                                   row["source"], row["status"]] for row in rows])
