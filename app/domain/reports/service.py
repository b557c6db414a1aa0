"""Which report a viewer may read, and the documents each report reads.

Platform-wide reports: staff holding the `offerings` permission (the route's rule). A report of one
offering: its issuer or staff with that permission (app.domain.issuer_dashboard.service.viewable,
the same 404 for anyone else).
"""

from __future__ import annotations

from app.data import reporting
from app.data.mongo import get_db
from app.domain import errors
from app.domain.issuer_dashboard.rules import order_state
from app.domain.issuer_dashboard.service import title_of, viewable
from app.domain.reports import rules


class NoSuchReport(errors.NotFound):
    """Not one of rules.REPORTS."""


def _offering_investors(db, orders: list[dict], whitelists: list[dict]) -> list[dict]:
    """The investors of an offering: whoever has a live order in it or asked to be whitelisted for it."""
    ids = {o.get("userId") for o in orders if order_state(o) != "cancelled"} | {w.get("userId") for w in whitelists}
    return list(reporting.users_by_ids(db, [i for i in ids if i is not None]).values())


def _table(db, name: str, offering_ids: list | None) -> tuple[list[str], list[list]]:
    if name in ("raise", "orders"):
        placed = reporting.orders_of(db, offering_ids)
        return rules.raise_table(placed) if name == "raise" else rules.orders_table(placed)
    if name == "whitelist":
        return rules.whitelist_table(reporting.whitelists_of(db, offering_ids))
    if name == "distributions":
        return rules.distributions_table(reporting.dividends_of(db, offering_ids))
    if name == "transfers":
        offerings = reporting.offering_tokens(db, offering_ids)  # one look-up for every row's decimals
        tokens = sorted({o["tokenAddress"] for o in offerings if o.get("tokenAddress")})
        return rules.transfers_table(reporting.transfer_requests_of(db, offering_ids),
                                     reporting.token_events(db, tokens, ("Transfer",)), rules.token_decimals(offerings))
    if offering_ids is None:
        people = reporting.investors(db)
    else:
        people = _offering_investors(db, reporting.orders_of(db, offering_ids),
                                     reporting.whitelists_of(db, offering_ids))
    details = reporting.details_by_user(db, [u["_id"] for u in people])
    return rules.investors_table(people, details) if name == "investors" else rules.kyc_table(people, details)


def report(actor: dict, name: str, offering_id: str | None = None) -> dict:
    """One report (title, header, rows) for the platform (offering_id None) or one offering."""
    if name not in rules.REPORTS:
        raise NoSuchReport(name)
    offering = viewable(actor, offering_id) if offering_id is not None else None
    header, rows = _table(get_db(), name, [offering["_id"]] if offering else None)
    return {"name": name, "title": rules.REPORTS[name], "header": header, "rows": rows,
            "scope": title_of(offering) if offering else "All offerings"}


def all_reports(actor: dict, offering_id: str | None = None) -> dict:
    """Every report of the scope, for the reports page."""
    offering = viewable(actor, offering_id) if offering_id is not None else None
    listed = [] if offering else [(str(o["_id"]), title_of(o)) for o in reporting.offering_titles(get_db())]
    return {"scope": title_of(offering) if offering else "All offerings",
            "offering_id": str(offering["_id"]) if offering else None, "offerings": listed,
            "reports": [report(actor, name, offering_id) for name in rules.REPORTS]}
