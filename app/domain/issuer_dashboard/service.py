"""Who may see an offering's dashboard, and its figures read from MongoDB.

The issuer who created the offering sees it; staff holding the `offerings` permission see any. Anyone
else gets NotFound (404), the same answer as for an offering that does not exist, so an issuer cannot
learn that another issuer's offering id is real.

The cap table comes from chain-sync's `holdings` projection (equal to `balanceOf` at the synced
height; `flask chain reconcile` checks it against the chain), never from orders. Its locked column is read
from the suite's lock-up module when the page is read (app.chain.lockups, batched).
"""

from __future__ import annotations

import logging

from flask import current_app
from web3.exceptions import Web3Exception

from app.chain import lockups
from app.chain.node import web3_client
from app.data import offerings, reporting
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.issuer_dashboard import document_access, exports, rules
from app.domain.marketplace import listing
from app.domain.platform.chain import current_platform
from app.domain.platform.charts import progress_chart

log = logging.getLogger(__name__)


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


def cap_table(offering: dict) -> tuple[list[rules.CapRow], int | None, str]:
    """The offering's cap table, the token's synced supply (None before any token or event) and its lock-up
    state: "on" (locked amounts read from the chain now), "none" (no lock-up module), "unreadable"."""
    token = offering.get("tokenAddress")
    if not token:
        return [], None, "none"
    db = get_db()
    held = reporting.holdings_of_token(db, token)
    owners = reporting.wallet_owners(db, [h["wallet"] for h in held])
    users = reporting.users_by_ids(db, list(owners.values()))
    supply = reporting.total_supply(db, token)
    locked, lockup = locked_of(token, [h["wallet"] for h in held if h.get("balance") or h.get("frozen")])
    return rules.cap_table(held, owners, users, supply, locked), supply, lockup


def locked_of(token: str, wallets: list[str]) -> tuple[dict[str, int] | None, str]:
    """({lower-case wallet: locked base units} or None, lock-up state), read from the lock-up module at read time
    (holdings are synced, the lock-up is time-based: a lot unlocks with no event, so it is never projected)."""
    config = current_app.config
    try:
        w3 = web3_client.get(config)
        platform = current_platform(config)
        compliance = lockups.lockup_compliance(w3, platform, token)
        if compliance is None:
            return None, "none"
        found = lockups.locked_balances(w3, platform, compliance, wallets)
    except (OSError, Web3Exception, ValueError) as failure:  # node down or refusing: the page still shows holdings
        log.warning("locked balances of %s not read: %s", token, failure)
        return None, "unreadable"
    return {wallet.lower(): amount for wallet, amount in found.items()}, "on"


def dashboard(actor: dict, offering_id: str) -> dict:
    """Everything the dashboard page shows, as plain data."""
    offering = viewable(actor, offering_id)
    db = get_db()
    placed = reporting.orders_of(db, [offering["_id"]])
    users = reporting.users_by_ids(db, [o.get("userId") for o in placed])
    rows, supply, lockup = cap_table(offering)
    series = rules.raise_series(placed)
    return {
        "id": str(offering["_id"]), "title": title_of(offering), "status": offering.get("status"),
        "token": offering.get("tokenAddress"), "decimals": decimals_of(offering),
        "raised": offering.get("raisedAmount") or 0, "target": listing.target_amount(offering),
        "funded_bps": listing.funded_bps(offering), "series": series,
        "chart": progress_chart(series, listing.target_amount(offering)),
        "orders": rules.orders_by_state(placed), "pipeline": rules.whitelist_pipeline(
            reporting.whitelists_of(db, [offering["_id"]])),
        "cap_table": rows, "supply": supply, "lockup": lockup, "held": sum(row.balance for row in rows),
        "investors": rules.investor_positions(rows, placed, users),
        "documents": document_access.log_of(offering),
        "events": reporting.audit_of_offering(db, offering["_id"]),
    }


def cap_table_csv(actor: dict, offering_id: str) -> tuple[str, str]:
    """(file name, CSV text) of the offering's cap table."""
    offering = viewable(actor, offering_id)
    rows, _supply, lockup = cap_table(offering)
    ticker = (offering.get("projectDetails") or {}).get("tokenTicker") or str(offering["_id"])
    return f"cap-table-{ticker}.csv", exports.cap_table_csv(rows, decimals_of(offering), lockup)
