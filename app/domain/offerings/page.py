"""The public offering page: who may see it, what it shows, and its Redis-cached public part."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bson import ObjectId

from app import cache
from app.data import offerings, user_details, whitelists
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.marketplace import listing
from app.domain.marketplace.service import Viewer
from app.domain.nav import rules as nav_rules
from app.domain.offerings.rules import PUBLIC_DOCUMENTS
from app.domain.platform import numerals, uploads
from app.domain.platform.charts import time_line_chart
from app.domain.whitelisting.rules import stage_of

DOCUMENT_LABELS = {
    "pitchDeck": "Pitch deck", "eSign": "Subscription agreement",
    "confidentialInformationMemorendum": "Confidential information memorandum",
    "landRegistration": "Land registration", "titleDocs": "Title documents", "bankApproval": "Bank approval",
    "encumbranceCertificate": "Encumbrance certificate", "propertyTaxReceipt": "Property tax receipt",
    "articlesOfAssociation": "Articles of association", "operatingAgreement": "Operating agreement",
    "taxAssignmentLetter": "Tax assignment letter", "certificateOfRegistration": "Certificate of registration",
    "registerOfManagers": "Register of managers",
}


def nav_series(doc: dict, now: datetime) -> list[tuple[datetime, int]]:
    """NAV per token over time: the launch NAV at the opening date, then each approved `navHistory` entry
    (app/domain/nav/review.py); before any entry, `latestNav` at its update time (or now) when it differs."""
    details = doc.get("projectDetails") or {}
    launch, latest = details.get("navLaunchPrice"), details.get("latestNav")
    start = listing.aware(details.get("startDate") or doc.get("createdAt"))
    series = [(start, int(launch))] if launch and start else []
    history = sorted((listing.aware(entry["date"]), int(entry["nav"])) for entry in doc.get("navHistory") or []
                     if isinstance(entry.get("date"), datetime) and entry.get("nav") is not None)
    if history:
        return [point for point in series if point[0] < history[0][0]] + history
    if latest and series:
        at = listing.aware(details.get("latestNavAt") or doc.get("navUpdatedAt")) or now
        series.append((max(at, start), int(latest)))
    return series


def nav_changes(doc: dict) -> list[dict]:
    """Each approved NAV, newest first, with what changed from the one before it (+/- %), method and valuer."""
    previous = int((doc.get("projectDetails") or {}).get("navLaunchPrice") or 0)
    rows = []
    for entry in sorted((e for e in doc.get("navHistory") or [] if isinstance(e.get("date"), datetime)),
                        key=lambda e: e["date"]):
        rows.append({"date": entry["date"], "nav": int(entry["nav"]), "previous": previous,
                     "change": nav_rules.change_text(nav_rules.change_bps(previous, int(entry["nav"]))),
                     "method": entry.get("method") or "", "valuer": entry.get("valuer") or ""})
        previous = int(entry["nav"])
    return rows[::-1]


def _nav_reports(doc: dict) -> list[tuple[str, str]]:
    """The approved NAVs' valuation reports as confidential documents (key `nav-<proposal id>`)."""
    return [(f"nav-{entry['id']}", f"Valuation report, {entry['date']:%Y-%m-%d}")
            for entry in doc.get("navHistory") or [] if entry.get("id") and entry.get("report")
            and isinstance(entry.get("date"), datetime)]


def public_view(doc: dict, now: datetime) -> dict:
    """Everything the page shows to any permitted visitor, as plain data."""
    overview, details = doc.get("overview", {}), doc.get("projectDetails", {})
    series = nav_series(doc, now)
    named = [(key, DOCUMENT_LABELS[key]) for key in DOCUMENT_LABELS if (doc.get("documents") or {}).get(key)]
    custom = [(f"custom-{i}", d.get("docsLabel", "Document")) for i, d in
              enumerate((doc.get("documents") or {}).get("customDocs") or [])]
    return {
        "id": str(doc["_id"]), "overview": overview, "details": details, "team": doc.get("team") or [],
        "state": listing.listing_state(doc, now), "target": listing.target_amount(doc),
        "funded_bps": listing.funded_bps(doc), "raised": doc.get("raisedAmount") or 0,
        "nav": details.get("latestNav") or details.get("navLaunchPrice") or 0,
        "nav_chart": time_line_chart(series), "nav_points": len(series), "nav_changes": nav_changes(doc),
        "images": {slot: overview.get(slot) for slot in ("cover", "logo", "icon") if overview.get(slot)},
        "fee": doc.get("fee"), "start": details.get("startDate"), "end": details.get("endDate"),
        "public_documents": [d for d in named if d[0] in PUBLIC_DOCUMENTS],
        "confidential_documents": [d for d in named if d[0] not in PUBLIC_DOCUMENTS] + custom + _nav_reports(doc),
        "token_address": doc.get("tokenAddress"),
    }


def _guard(doc: dict) -> dict:
    details = doc.get("projectDetails", {})
    return {"listed": doc.get("status") in listing.LISTED_STATUSES and bool(doc.get("isActive")),
            "isPrivate": bool(details.get("isPrivate")), "members": list(details.get("offeringMembers") or []),
            "countries": list(details.get("authorizedCountries") or []), "title": doc.get("overview", {}).get("title")}


def _may_see(guard: dict, viewer: Viewer) -> bool:
    if not guard["listed"]:
        return False
    return not guard["isPrivate"] or bool({viewer.user_id, viewer.email} & set(guard["members"]))


def offering_page(config: dict, offering_id: str, viewer: Viewer, render: Callable[[dict], str]) -> dict | None:
    """The page's parts for `viewer`, or None when it does not exist for them (a 404, revealing nothing).

    The public HTML comes from Redis when cached; `render` builds it from `public_view` otherwise.
    """
    oid = parse_id(offering_id)
    if oid is None:
        return None
    entry, version = cache.cached_offering_page(offering_id, config)
    if entry is None:
        doc = offerings.by_id(get_db(config), oid)
        if doc is None:
            return None
        view = public_view(doc, datetime.now(UTC))
        entry = {"guard": _guard(doc), "html": render(view),
                 "documents": {"public": view["public_documents"], "confidential": view["confidential_documents"]}}
        cache.store_offering_page(offering_id, version, entry, config)
    if not _may_see(entry["guard"], viewer):
        return None
    return {"id": offering_id, "html": entry["html"], "title": entry["guard"]["title"], "documents": entry["documents"],
            "country_allowed": listing.country_allowed({"projectDetails": {
                "authorizedCountries": entry["guard"]["countries"]}}, viewer.country),
            "whitelisted": _whitelisted(config, oid, viewer)}


def invest_step(config: dict, offering_id: str, user: dict | None) -> listing.NextStep:
    """The offering page's call to invest for this user (listing.next_step decides; this gathers the facts)."""
    oid = parse_id(offering_id)
    doc = offerings.by_id(get_db(config), oid) if oid else None
    state = listing.listing_state(doc, datetime.now(UTC)) if doc else None
    if not user:
        return listing.next_step(state, listing.Visitor())
    db = get_db(config)
    visitor = listing.Visitor(
        signed_in=True, investor=user.get("userType") == "investor",
        kyc_approved=bool(user.get("isKyc") or user.get("kycStatus") == "approved"),
        has_wallet=bool(user_details.verified_wallets(db, user["_id"])),
        country_allowed=listing.country_allowed(doc or {}, user.get("residenceCountry")),
        whitelist_stage=stage_of(whitelists.of_user(db, user["_id"], oid) if oid else None).key)
    return listing.next_step(state, visitor)


def _whitelisted(config: dict, offering_id: ObjectId, viewer: Viewer) -> bool:
    user_id = parse_id(viewer.user_id) if viewer.user_id else None
    return user_id is not None and whitelists.is_approved(get_db(config), user_id, offering_id)


def _located(config: dict, owner: str, name: str) -> tuple[Path, str] | None:
    try:
        return uploads.locate(config["UPLOAD_DIR"], owner, name)
    except LookupError:
        return None


def listed_image(config: dict, offering_id: str, slot: str, viewer: Viewer) -> tuple[Path, str] | None:
    """(path, content type) of a listed offering's icon, cover or logo the viewer may see; images only."""
    oid = parse_id(offering_id)
    if oid is None or slot not in ("icon", "cover", "logo"):
        return None
    doc = offerings.by_id(get_db(config), oid)
    if doc is None or not _may_see(_guard(doc), viewer):
        return None
    name = (doc.get("overview") or {}).get(slot)
    found = _located(config, str(oid), name) if name else None
    return found if found and found[1].startswith("image/") else None


def document_for(config: dict, offering_id: str, key: str, viewer: Viewer) -> tuple[Path, str] | None:
    """(path, content type) of a named or custom document the viewer may download:
    public documents to anyone who may see the offering, confidential ones to whitelisted investors."""
    oid = parse_id(offering_id)
    doc = offerings.by_id(get_db(config), oid) if oid is not None else None
    if doc is None or not _may_see(_guard(doc), viewer):
        return None
    documents = doc.get("documents") or {}
    if key.startswith("nav-"):  # an approved NAV's valuation report (confidential)
        name = next((e.get("report") for e in doc.get("navHistory") or [] if f"nav-{e.get('id')}" == key), None)
    elif key.startswith("custom-") and numerals.is_digits(key[7:]) and len(key) <= 12:  # "custom-²" is not an index
        custom = documents.get("customDocs") or []
        index = int(key[7:])
        name = custom[index].get("value") if index < len(custom) else None
    else:
        name = documents.get(key) if key in DOCUMENT_LABELS else None
    if not name:
        return None
    if key not in PUBLIC_DOCUMENTS and not _whitelisted(config, oid, viewer):
        return None
    return _located(config, str(oid), name)
