"""Payments received, for the transactions record: each payment recorded on an order (bank transfers in
cents, stablecoin transfers in base units, as settlement recorded them) and the stablecoin transfers no
order took. Pages go by order id (keyset), each order with all its payments.
"""

from __future__ import annotations

from app.data import reporting
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.payments.rules import stablecoin_decimals

KINDS = {"fiat": "Bank transfers", "crypto": "Stablecoin"}
PAGE_SIZE = 50
EXPORT_LIMIT = 10_000


def page(kind: str, before: str | None, size: int = PAGE_SIZE) -> dict:
    """One page of the payments of `kind` ("fiat" or "crypto"), and the cursor of the next page."""
    kind = kind if kind in KINDS else "fiat"
    found = reporting.paid_orders_page(get_db(), kind, parse_id(before) if before else None, size + 1)
    rows = [{"order": str(order["_id"]), "reference": order.get("paymentReference") or "",
             "investor": order.get("investorEmail") or "", "offering": order.get("offeringTitle") or "",
             "status": order.get("status") or "", "amount": int(payment.get("amount") or 0),
             "decimals": 2 if kind == "fiat" else stablecoin_decimals(order), "at": payment.get("at"),
             "source": payment.get("txHash") or payment.get("reference") or "", "kind": payment.get("kind") or kind}
            for order in found[:size] for payment in order.get("payments") or []]
    return {"kind": kind, "kinds": KINDS, "rows": rows,
            "next": str(found[size - 1]["_id"]) if len(found) > size else None,
            "unplaced": reporting.stablecoin_transfers_not_on_an_order(get_db()) if kind == "crypto" else []}


def all_rows(kind: str) -> list[dict]:
    """Every payment of `kind` (up to EXPORT_LIMIT), walked on the same keyset as the pages."""
    rows, before = [], None
    while len(rows) < EXPORT_LIMIT:
        found = page(kind, before, 500)
        rows += found["rows"]
        before = found["next"]
        if before is None:
            break
    return rows[:EXPORT_LIMIT]
