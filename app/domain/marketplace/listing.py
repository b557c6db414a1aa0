"""Pure rules about how an offering appears to investors: its listing state, progress and eligibility."""

from __future__ import annotations

from datetime import UTC, datetime

LISTED_STATUSES = ("live", "closed")  # statuses an offering reaches only after approval and deployment
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def listing_state(offering: dict, now: datetime) -> str | None:
    """upcoming / open / closed for a listed offering, None for one that is not listed at all."""
    if offering.get("status") not in LISTED_STATUSES or not offering.get("isActive") or offering.get("isDelete"):
        return None
    details = offering.get("projectDetails", {})
    start, end = aware(details.get("startDate")), aware(details.get("endDate"))
    if offering["status"] == "closed" or (end is not None and now > end) or is_sold_out(offering):
        return CLOSED
    if start is not None and now < start:
        return UPCOMING
    return OPEN


def is_sold_out(offering: dict) -> bool:
    """Every token sold: `tokensSold` (base units) against `tokenSupply` (whole tokens) in base units."""
    details = offering.get("projectDetails") or {}
    supply = int(details.get("tokenSupply") or 0)
    return supply > 0 and int(offering.get("tokensSold") or 0) >= supply * 10 ** int(details.get("tokenDecimals") or 0)


def target_amount(offering: dict) -> int:
    """The raise target in minor units: every token sold at the launch NAV."""
    details = offering.get("projectDetails", {})
    return (details.get("tokenSupply") or 0) * (details.get("navLaunchPrice") or 0)


def funded_bps(offering: dict) -> int:
    """Raised versus target in basis points (0..10000), integer arithmetic only."""
    target = target_amount(offering)
    if target <= 0:
        return 0
    return min(10_000, (offering.get("raisedAmount") or 0) * 10_000 // target)


def visible_to(offering: dict, viewer: dict | None) -> bool:
    """Private offerings are visible to their members only (by user id or email)."""
    details = offering.get("projectDetails", {})
    if not details.get("isPrivate"):
        return True
    if viewer is None:
        return False
    members = set(details.get("offeringMembers") or [])
    return str(viewer.get("_id")) in members or (viewer.get("email") or "") in members


def country_allowed(offering: dict, country: str | None) -> bool | None:
    """True/False when the viewer's country is known and the offering restricts countries; None when unknown."""
    countries = offering.get("projectDetails", {}).get("authorizedCountries") or []
    if not countries:
        return True
    if not country:
        return None
    return country.upper() in countries
