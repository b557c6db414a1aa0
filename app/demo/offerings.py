"""The demo's offerings: written by the demo issuer in the offering wizard, reviewed by the demo admin (who is
also their transfer agent), and deployed on the local chain by the deployment chain job; the last one is left
waiting for review, so the back office's queue has something in it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from app.data import offerings as offering_data
from app.data.mongo import get_db
from app.demo import images
from app.demo.waiting import wait_for
from app.domain.offerings import deployment
from app.domain.offerings import review as offering_review
from app.domain.offerings import service as wizard

# A minimal, inert PDF (no scripts): the demo's subscription agreement and pitch deck.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass(frozen=True)
class DemoOffering:
    title: str
    ticker: str
    city: str
    asset_type: str  # marketplace.query.ASSET_TYPES
    property_type: str  # marketplace.query.PROPERTY_TYPES
    picture: tuple  # (sky, wall, floors, seed) for images.building
    nav: str = "100"
    decimals: int = 0
    supply: int = 50_000
    live: bool = True  # False: submitted and left in the review queue
    lockup_months: int = 12  # Harbourside has none: its tokens move and convert at once (app/demo/after_sale.py)
    opened_days_ago: int = 0  # an offering opened earlier has room for a NAV history (app/demo/valuations.py)
    extra: dict = field(default_factory=dict)


OFFERINGS = (
    DemoOffering("Harbourside Lofts", "HBLOFT", "Bristol, United Kingdom", "residential", "apartment",
                 ((110, 160, 220), (196, 120, 90), 9, 2), decimals=18, lockup_months=0, opened_days_ago=90),
    DemoOffering("Canal Street Offices", "CANAL", "Manchester, United Kingdom", "commercial", "office",
                 ((150, 180, 210), (170, 170, 180), 11, 4), nav="250"),
    DemoOffering("Old Mill Cottages", "MILL", "York, United Kingdom", "residential", "house",
                 ((230, 170, 120), (220, 200, 160), 3, 1), nav="50"),
    DemoOffering("Seafront Residences", "SEAFR", "Brighton, United Kingdom", "residential", "apartment",
                 ((90, 150, 200), (240, 240, 235), 7, 3), live=False),
)


def _steps(spec: DemoOffering, today) -> list[tuple[str, dict]]:
    opens = (today - timedelta(days=spec.opened_days_ago)).isoformat()
    closes = (today + timedelta(days=120)).isoformat()
    return [
        ("overview", {"title": spec.title, "subTitle": f"Tokenised {spec.asset_type} property in {spec.city}",
                      "description": f"{spec.title} is a {spec.asset_type} building in {spec.city}, let and "
                                     "managed by Harbour Estates. Investors receive a share of the net rent.",
                      "entityName": f"{spec.title} SPV Ltd", "entityType": "spv",
                      "webUrl": "https://harbour-estates.example", "lineOfBusiness": "Real estate",
                      "sourceOfFunds": "Equity from token investors", "location": spec.city,
                      "companyDescription": "Harbour Estates has managed UK residential property since 2009."}),
        ("property", {"assetType": spec.asset_type, "propertyType": spec.property_type, "yearBuilt": "1998",
                      "lotSize": "24000", "occupancy": "96", "projectedYield": "6.5",
                      "launchValuation": "4800000", "previousValuation": "4500000", "deRatio": "35"}),
        ("token", {"assetName": f"{spec.title} Token", "tokenTicker": spec.ticker, "tokenSupply": str(spec.supply),
                   "tokenDecimals": str(spec.decimals), "lockupMonths": str(spec.lockup_months),
                   "maxTokenHolding": "5000", "navLaunchPrice": spec.nav}),
        ("raise", {"startDate": opens, "endDate": closes, "minInvestment": spec.nav, "maxInvestment": "100000",
                   "fee": "1.5", "authorizedCountries": "GB, FR, DE, IE, NL"}),
        ("team", {"name": "Isla Harbour", "title": "Managing director",
                  "summary": "Fifteen years of letting and managing residential property."}),
    ]


def _file(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)


def write(issuer: dict, spec: DemoOffering) -> dict:
    """The issuer's offering titled like `spec`, written and submitted (or the one an earlier run made)."""
    db = get_db()
    found = next((o for o in offering_data.of_owner(db, issuer["_id"])
                  if (o.get("overview") or {}).get("title") == spec.title), None)
    offering_id = str(found["_id"]) if found else wizard.create_draft(issuer)
    if found is None or found["status"] in offering_data.EDITABLE:
        for key, form in _steps(spec, datetime.now(UTC).date()):
            if key == "team" and found and found.get("team"):
                continue
            result = wizard.save_step(issuer, offering_id, key, form)
            if not result.saved:
                raise RuntimeError(f"demo offering {spec.title}: step {key} refused: {result.errors}")
        picture = images.building(*spec.picture)
        for slot, content in (("cover", picture), ("icon", picture), ("eSign", PDF), ("pitchDeck", PDF)):
            wizard.attach_file(issuer, offering_id, slot, _file(content))
        problems = wizard.submit(issuer, offering_id)
        if problems:
            raise RuntimeError(f"demo offering {spec.title} not submitted: {problems}")
    return offering_data.by_id(db, ObjectId(offering_id))


def launch(admin: dict, offering: dict) -> dict:
    """Assign the admin as reviewer and transfer agent, approve, deploy, and wait until chain-sync lists it."""
    offering_id = str(offering["_id"])
    if offering["status"] == "submitted":
        if str((offering.get("projectDetails") or {}).get("taId") or "") != str(admin["_id"]):
            offering_review.assign(admin, offering_id, str(admin["_id"]))
        offering_review.decide(admin, offering_id, "approve")
    current = offering_data.by_id(get_db(), offering["_id"])
    if current["status"] == "approved" or deployment.progress_of(current)["status"] == "deploy_failed":
        deployment.start(admin, offering_id)
    return wait_for(f"the token of {offering['overview']['title']} to be deployed and listed",
                    lambda: _listed(offering["_id"]), timeout=240)


def _listed(offering_id) -> dict | None:
    current = offering_data.by_id(get_db(), offering_id)
    return current if current["status"] == "live" and current.get("paymentAddress") else None
