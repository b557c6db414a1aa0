"""Back office: users and sub-admins, the audit log; other areas add their review pages."""

from __future__ import annotations

from flask import Blueprint, current_app, url_for

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


# The page each permission opens, where one exists yet (other areas add theirs here).
SECTION_PAGES = {"kyc": "review.list_kyc", "issuer_requests": "review.list_issuer_requests",
                 "offerings": "offering_admin.list_offerings",
                 "whitelist": "whitelist_admin.list_requests", "orders": "orders_admin.list_orders",
                 "transfers": "transfers_admin.list_requests", "dividends": "distributions_admin.list_distributions",
                 "users": "admin.list_users", "subadmins": "admin.list_subadmins", "audit": "admin.list_audit"}


def section_links(labels: dict[str, str], held: frozenset[str]) -> list[tuple[str, str | None]]:
    """(label, url or None) for each permission held, in the listed order."""
    return [(label, url_for(SECTION_PAGES[p]) if SECTION_PAGES.get(p) in current_app.view_functions else None)
            for p, label in labels.items() if p in held]
