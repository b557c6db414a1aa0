"""Pure rules about how an offering appears to investors: its listing state, progress and eligibility."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class NextStep:
    """What a visitor must do next to invest in an offering: `action` names the step (the page links it)."""

    action: str  # sign_in, investors_only, closed, not_open_yet, unavailable, finish_kyc, connect_wallet,
    #              get_whitelisted, follow_whitelisting, invest
    text: str


@dataclass(frozen=True)
class Visitor:
    """The facts about a visitor that decide their next step (None where unknown or not signed in)."""

    signed_in: bool = False
    investor: bool = False
    kyc_approved: bool = False
    has_wallet: bool = False
    country_allowed: bool | None = True
    whitelist_stage: str | None = None  # app.domain.whitelisting.rules.Stage.key, "none" when never asked


def next_step(state: str | None, visitor: Visitor) -> NextStep:
    """The one place deciding the call to invest, in the order a person meets the steps: sign in, finish
    KYC, connect a wallet, get whitelisted, invest. `state` is `listing_state` (open, upcoming, closed)."""
    if state == CLOSED:
        return NextStep("closed", "This offering is closed to new investment.")
    if not visitor.signed_in:
        return NextStep("sign_in", "Sign in or create an investor account to invest.")
    if not visitor.investor:
        return NextStep("investors_only", "Investing is open to investor accounts.")
    if visitor.whitelist_stage == "approved":  # everything before was done (the order form re-checks it)
        return NextStep("not_open_yet", "You are whitelisted; you can invest once the offering opens.") \
            if state == UPCOMING else NextStep("invest", "You are whitelisted: choose how many tokens to buy.")
    if visitor.country_allowed is False:
        return NextStep("unavailable", "This offering is not available to residents of your country.")
    if not visitor.kyc_approved:
        return NextStep("finish_kyc", "Finish identity verification (KYC) to invest.")
    if not visitor.has_wallet:
        return NextStep("connect_wallet", "Connect and verify a wallet: your tokens are delivered to it.")
    if visitor.whitelist_stage in (None, "none", "declined", "expired"):
        return NextStep("get_whitelisted", "Ask to be whitelisted: you sign the subscription agreement online.")
    return NextStep("follow_whitelisting", "Your whitelisting is in progress; follow its steps.")
