"""What investors see of distributions: the paid-line mail, their upcoming and received lines with the waterfall,
and the yearly statement (distributions gross / withheld / net, cost basis and holdings at year end)."""

from __future__ import annotations

from flask import current_app

from app.data import distributions, dividends, users
from app.data.mongo import get_db
from app.domain.distributions import rules
from app.domain.platform.notifications import send_email


def mail_paid(config: dict, line_id: str) -> None:
    """Tell the holder their line is paid: once per line (the outbox key), however often chain-sync replays."""
    db = get_db(config)
    line = dividends.by_id(db, line_id)
    if not line or line.get("status") != dividends.PAID or not line.get("userId"):
        return
    investor = users.by_id(db, line["userId"])
    if not investor or not investor.get("email"):
        return
    dist = distributions.by_id(db, line["distributionId"]) or {}
    title = line.get("offeringName") or dist.get("offeringName") or "An offering"
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    send_email(investor["email"], f"Libertum: {title} paid your distribution", "distribution_paid",
               {"offering_title": title, "net": int(line.get("dividendAmount") or 0),
                "gross": int(line.get("grossAmount") or 0), "withheld": int(line.get("withheldAmount") or 0),
                "kind": rules.DIVIDEND_TYPES.get(line.get("dividendType"), "distribution").lower(),
                "wallet": line.get("walletAddress"), "tx_hash": line.get("txHash"),
                "bank_reference": line.get("bankReference"), "portfolio_url": f"{base}/portfolio/distributions"},
               investor["_id"], key=f"distribution-paid:{line_id}")
