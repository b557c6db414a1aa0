"""Who may see an offering's dashboard, and its figures read from MongoDB.

The issuer who created the offering sees it; staff holding the `offerings` permission see any. Anyone
else gets NotFound (404), the same answer as for an offering that does not exist, so an issuer cannot
learn that another issuer's offering id is real.

The cap table comes from chain-sync's `holdings` projection (equal to `balanceOf` at the synced
height; `flask chain reconcile` checks it against the chain), never from orders.
"""

from __future__ import annotations

from app.data import offerings, reporting
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.issuer_dashboard import document_access, exports, rules
from app.domain.marketplace import listing
from app.domain.platform.charts import progress_chart


class NoSuchOffering(errors.NotFound):
    """Not an offering the viewer may see (or none at all): the same 404 either way."""


def may_see_any(actor: dict | None) -> bool:
    return has_permission(actor, "offerings")


def viewable(actor: dict | None, offering_id: str) -> dict:
    """The offering if `actor` created it or holds the offerings permission; NoSuchOffering otherwise."""
    oid = parse_id(offering_id)
    doc = offerings.by_id(get_db(), oid) if oid and actor else None
    if doc is None or doc.get("isDelete") or not (doc.get("createdBy") == actor["_id"] or may_see_any(actor)):
        raise NoSuchOffering(offering_id)
    return doc


def decimals_of(offering: dict) -> int:
    return int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)


def title_of(offering: dict) -> str:
    return (offering.get("overview") or {}).get("title") or "Untitled offering"


def cap_table(offering: dict) -> tuple[list[rules.CapRow], int | None]:
    """The offering's cap table and the token's synced supply (None before any token or event)."""
    token = offering.get("tokenAddress")
    if not token:
        return [], None
    db = get_db()
    held = reporting.holdings_of_token(db, token)
    owners = reporting.wallet_owners(db, [h["wallet"] for h in held])
    users = reporting.users_by_ids(db, list(owners.values()))
    supply = reporting.total_supply(db, token)
    return rules.cap_table(held, owners, users, supply), supply


def dashboard(actor: dict, offering_id: str) -> dict:
    """Everything the dashboard page shows, as plain data."""
    offering = viewable(actor, offering_id)
    db = get_db()
    placed = reporting.orders_of(db, [offering["_id"]])
    users = reporting.users_by_ids(db, [o.get("userId") for o in placed])
    rows, supply = cap_table(offering)
    series = rules.raise_series(placed)
    return {
        "id": str(offering["_id"]), "title": title_of(offering), "status": offering.get("status"),
        "token": offering.get("tokenAddress"), "decimals": decimals_of(offering),
        "raised": offering.get("raisedAmount") or 0, "target": listing.target_amount(offering),
        "funded_bps": listing.funded_bps(offering), "series": series,
        "chart": progress_chart(series, listing.target_amount(offering)),
        "orders": rules.orders_by_state(placed), "pipeline": rules.whitelist_pipeline(
            reporting.whitelists_of(db, [offering["_id"]])),
        "cap_table": rows, "supply": supply, "held": sum(row.balance for row in rows),
        "investors": rules.investor_positions(rows, placed, users),
        "documents": document_access.log_of(offering),
        "events": reporting.audit_of_offering(db, offering["_id"]),
    }


def cap_table_csv(actor: dict, offering_id: str) -> tuple[str, str]:
    """(file name, CSV text) of the offering's cap table."""
    offering = viewable(actor, offering_id)
    rows, _supply = cap_table(offering)
    ticker = (offering.get("projectDetails") or {}).get("tokenTicker") or str(offering["_id"])
    return f"cap-table-{ticker}.csv", exports.cap_table_csv(rows, decimals_of(offering))
