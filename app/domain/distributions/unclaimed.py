"""Unclaimed or held amounts: lines still not paid DISTRIBUTION_UNCLAIMED_DAYS after the payment date.

They are shown to the issuer (a section of the distribution's payout page) and reported by mail once per
distribution (the outbox key), by the payout sweep (app/tasks/distributions.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.data import distributions, dividends, users
from app.data.mongo import get_db
from app.domain.distributions import rules
from app.domain.platform.notifications import send_email

OPEN = (dividends.DECLARED, dividends.SCHEDULED, dividends.HELD, dividends.REORGED)


def cutoff(config: dict, distribution: dict) -> datetime:
    payment = distribution["paymentDate"]
    payment = payment if payment.tzinfo else payment.replace(tzinfo=UTC)
    return payment + timedelta(days=int(config["DISTRIBUTION_UNCLAIMED_DAYS"]))


def lines(config: dict, distribution: dict, now: datetime | None = None) -> list[dict]:
    """The distribution's lines still unpaid past the period (none before it ends)."""
    now = now or datetime.now(UTC)
    started = distribution["status"] in (rules.SNAPSHOTTED, rules.PAYING, rules.PAID)
    if not started or now < cutoff(config, distribution):
        return []
    return [line for line in dividends.of_distribution(get_db(config), distribution["_id"]) if line["status"] in OPEN]


def report_due(config: dict, now: datetime | None = None) -> list:
    """Mail each issuer whose distribution has unclaimed lines past the period; once per distribution."""
    db = get_db(config)
    now = now or datetime.now(UTC)
    reported = []
    for status in (rules.SNAPSHOTTED, rules.PAYING, rules.PAID):
        for distribution in distributions.with_status(db, status):
            if now < cutoff(config, distribution):
                continue
            found = lines(config, distribution, now)
            if found and _mail(config, distribution, found):
                reported.append(distribution["_id"])
    return reported


def _mail(config: dict, distribution: dict, found: list[dict]) -> bool:
    issuer = users.by_id(get_db(config), distribution.get("issuerId")) if distribution.get("issuerId") else None
    if not issuer or not issuer.get("email"):
        return False
    base = config["PUBLIC_URL"].rstrip("/")
    send_email(issuer["email"], f"Libertum: unpaid distribution lines of {distribution['offeringName']}",
               "distribution_unclaimed",
               {"offering_title": distribution["offeringName"], "count": len(found),
                "total": sum(int(line["dividendAmount"]) for line in found),
                "held": sum(1 for line in found if line["status"] == dividends.HELD),
                "days": int(config["DISTRIBUTION_UNCLAIMED_DAYS"]), "payment_date": distribution["paymentDate"],
                "page_url": f"{base}/issuer/distributions/{distribution['_id']}/payout"},
               issuer["_id"], key=f"distribution-unclaimed:{distribution['_id']}")
    return True
