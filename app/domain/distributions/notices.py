"""Mail about distributions: holders learn of an approved declaration (the amount, the dates, the waterfall
link), the issuer of a rejection. Each once per person per distribution (mailKeys), however often it runs."""

from __future__ import annotations

from flask import current_app

from app.data import users
from app.data.mongo import get_db
from app.domain.distributions import rules
from app.domain.platform.notifications import send_email


def _link(path: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{path}"


def _context(distribution: dict) -> dict:
    return {"offering_title": distribution["offeringName"],
            "kind": rules.DIVIDEND_TYPES[distribution["dividendType"]],
            "total": distribution.get("totalAmount"), "per_token": distribution.get("amountPerToken"),
            "record_date": distribution["recordDate"], "payment_date": distribution["paymentDate"],
            "method": rules.PAYMENT_METHODS[distribution["paymentMethod"]],
            "portfolio_url": _link("/portfolio/")}


def declared(config: dict, distribution: dict, holders: list[dict]) -> int:
    """Tell each holder (user documents with `email`) about the approved distribution; returns how many."""
    context = _context(distribution)
    sent = 0
    for holder in holders:
        if holder.get("email"):
            send_email(holder["email"], f"Libertum: {distribution['offeringName']} declared a distribution",
                       "distribution_declared", context, holder["_id"],
                       key=f"distribution-declared:{distribution['_id']}:{holder['_id']}")
            sent += 1
    return sent


def rejected(config: dict, distribution: dict) -> None:
    issuer = users.by_id(get_db(config), distribution["issuerId"])
    if not issuer or not issuer.get("email"):
        return
    send_email(issuer["email"], f"Libertum: Your distribution for {distribution['offeringName']} was not approved",
               "distribution_rejected", {**_context(distribution), "reason": distribution.get("rejectedReason", "")},
               issuer["_id"], key=f"distribution-rejected:{distribution['_id']}")
