"""Marketplace reads: which listed offerings a visitor sees, how they are filtered, and how a card looks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.marketplace import listing
from app.domain.marketplace.catalogue import catalogue
from app.domain.marketplace.query import PAGE_SIZE, MarketQuery


@dataclass(frozen=True)
class Viewer:
    """Who is browsing: anonymous (all None) or a signed-in user with a known country."""

    user_id: str | None = None
    email: str | None = None
    country: str | None = None  # ISO 3166 alpha-2


ANONYMOUS = Viewer()


def viewer_for(user: dict | None) -> Viewer:
    """The browsing viewer for a signed-in user document (None: anonymous).

    `residenceCountry` (ISO alpha-2) is the country of the verified KYC address; until KYC
    sets it, country-restricted offerings say neither "available" nor "not available".
    """
    if not user:
        return ANONYMOUS
    return Viewer(user_id=str(user["_id"]), email=user.get("email"), country=user.get("residenceCountry"))


@dataclass(frozen=True)
class ResultsPage:
    cards: list[dict]
    total: int
    page: int
    pages: int


def _matches(doc: dict, query: MarketQuery, viewer: Viewer, now: datetime) -> bool:
    """Every filter of `query` for one catalogue document, cheapest checks first."""
    details = doc["projectDetails"]
    if query.asset_type and details.get("assetType") != query.asset_type:
        return False
    if query.property_type and details.get("propertyType") != query.property_type:
        return False
    yield_bps = details.get("projectedYield") or 0
    if (query.min_yield_bps is not None and yield_bps < query.min_yield_bps) or \
            (query.max_yield_bps is not None and yield_bps > query.max_yield_bps):
        return False
    if query.max_min_investment is not None and (details.get("minInvestment") or 0) > query.max_min_investment:
        return False
    if (query.q and query.q.lower() not in doc["_search"]) or \
            (query.location and query.location.lower() not in doc["_location"]):
        return False
    if details.get("isPrivate") and not listing.visible_to(doc, _as_user(viewer)):
        return False
    return not query.state or listing.listing_state(doc, now) == query.state


def _as_user(viewer: Viewer) -> dict | None:
    return {"_id": viewer.user_id, "email": viewer.email} if viewer.user_id else None


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
SORT_KEYS = {
    "newest": (lambda d: d["_id"], True),
    "yield": (lambda d: (d["projectDetails"].get("projectedYield") or 0, d["_id"]), True),
    "min-investment": (lambda d: (d["projectDetails"].get("minInvestment") or 0, d["_id"]), False),
    "closing": (lambda d: (listing.aware(d["projectDetails"].get("endDate")) or _FAR_FUTURE, d["_id"]), False),
}


def card(doc: dict, viewer: Viewer, now: datetime) -> dict:
    """What a marketplace card shows: plain data, integers for money and rates."""
    overview, details = doc.get("overview", {}), doc.get("projectDetails", {})
    return {
        "id": str(doc["_id"]), "title": overview.get("title", ""), "subtitle": overview.get("subTitle", ""),
        "location": overview.get("location", ""), "cover": overview.get("cover"),
        "asset_type": details.get("assetType", ""), "property_type": details.get("propertyType", ""),
        "ticker": details.get("tokenTicker", ""), "yield_bps": details.get("projectedYield") or 0,
        "min_investment": details.get("minInvestment") or 0, "raised": doc.get("raisedAmount") or 0,
        "target": listing.target_amount(doc), "funded_bps": listing.funded_bps(doc),
        "state": listing.listing_state(doc, now), "country_allowed": listing.country_allowed(doc, viewer.country),
        "is_private": bool(details.get("isPrivate")),
    }


def search(config: dict, query: MarketQuery, viewer: Viewer = ANONYMOUS, now: datetime | None = None) -> ResultsPage:
    """One page of the offerings `viewer` may see that match `query`, from the in-memory catalogue."""
    now = now or datetime.now(UTC)
    key, descending = SORT_KEYS[query.sort]
    found = [d for d in catalogue.sorted_docs(config, query.sort, key, descending) if _matches(d, query, viewer, now)]
    start = (query.page - 1) * PAGE_SIZE
    return ResultsPage([card(d, viewer, now) for d in found[start:start + PAGE_SIZE]], len(found), query.page,
                       max(1, math.ceil(len(found) / PAGE_SIZE)))


def latest(config: dict, limit: int, viewer: Viewer = ANONYMOUS) -> list[dict]:
    """The newest offerings open or upcoming for `viewer`, as cards (home page)."""
    now = datetime.now(UTC)
    docs = [d for d in catalogue.docs(config)
            if listing.listing_state(d, now) in (listing.OPEN, listing.UPCOMING)
            and _matches(d, MarketQuery(), viewer, now)]
    return [card(d, viewer, now) for d in sorted(docs, key=lambda d: d["_id"], reverse=True)[:limit]]
