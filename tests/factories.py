"""Documents as the platform stores them, for tests and benchmarks: valid by default, overridable."""

from __future__ import annotations

import itertools
import struct
import zlib
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from app.cache import offering_changed
from app.data import offerings

_counter = itertools.count(1)


def offering_doc(*, title: str | None = None, status: str = "live", starts_in_days: int = -10,
                 ends_in_days: int = 60, details: dict | None = None, now: datetime | None = None,
                 **fields) -> dict:
    """A listed offering (deployed, live) with round figures: 10,000 tokens at $100.00.

    Its dates are relative to `now` (today unless given): a test holding a fixed clock passes it,
    so the dates never drift away from that clock as the calendar moves."""
    n = next(_counter)
    now = now or datetime.now(UTC)
    project = {
        "assetType": "residential", "propertyType": "apartment", "offeringName": f"Offering {n}",
        "assetName": f"Building {n}", "tokenTicker": f"LBT{n % 1000}", "tokenSupply": 10_000, "tokenDecimals": 0,
        "navLaunchPrice": 100_00, "latestNav": 100_00, "minInvestment": 1_000_00, "maxInvestment": 100_000_00,
        "maxTokenHolding": 2_000, "projectedYield": 650, "occupancy": 9500, "yearBuilt": 1998, "lotSize": 12_000,
        "launchValuation": 1_000_000_00, "deRatio": 4000, "authorizedCountries": [], "isPrivate": False,
        "offeringMembers": [], "startDate": now + timedelta(days=starts_in_days),
        "endDate": now + timedelta(days=ends_in_days),
    }
    project.update(details or {})
    return {
        "_id": ObjectId(), "userId": ObjectId(),
        "overview": {"title": title or f"Harbour Lofts {n}", "subTitle": "Waterfront apartments",
                     "description": "Forty apartments on the harbour.", "entityName": "Harbour SPV Ltd",
                     "location": "Bristol, United Kingdom"},
        "projectDetails": project, "documents": {"pitchDeck": "deck.pdf", "titleDocs": "title.pdf"},
        "team": [{"name": "Ada Lovelace", "title": "Director", "summary": "Runs the SPV."}],
        "navHistory": [], "raisedAmount": 0, "tokensSold": 0, "isSoldOut": False,
        "status": status, "isActive": True, "isDelete": False, "isTokenDeploy": True, "currentStep": 7,
        "isFinalSubmission": True, **fields,
    }


def list_offering(db, doc: dict) -> dict:
    """Store an offering the way the platform does: insert, then tell the page cache and the catalogue."""
    offerings.insert(db, doc)
    offering_changed(str(doc["_id"]))
    return doc


def png_bytes(extra: bytes = b"") -> bytes:
    """A real 1x1 PNG (signature, IHDR, IDAT, IEND), as an upload would carry; `extra` goes before IDAT
    (a chunk a polyglot or hostile file would smuggle in)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def distribution_with_lines(db, nets: dict[str, int], *, status: str = "snapshotted",
                            payment_method: str = "stablecoin",
                            withheld: dict[str, int] | None = None, offering_id=None, issuer_id=None,
                            user_ids: dict[str, object] | None = None, waterfall: dict | None = None,
                            payment_date=None, record_date=None, offering_name: str = "Payout Flats") -> dict:
    """A distribution past its snapshot and its holder lines (wallet -> net cents), written through G's data functions
    (app/data/distributions.insert, app/data/dividends.insert_lines) exactly as the snapshot writes them."""
    from app.data import distributions, dividends

    withheld = withheld or {}
    now = datetime.now(UTC)
    record_date = record_date or now - timedelta(days=2)
    payment_date = payment_date or now - timedelta(minutes=1)
    gross = {w: n + withheld.get(w, 0) for w, n in nets.items()}
    total = sum(gross.values())
    waterfall = waterfall or {"grossRent": total + 300, "vacancy": 100, "operatingCosts": 100, "managementFee": 50,
                              "reserveTopUp": 50, "distributable": total}
    doc = {"_id": ObjectId(), "offeringId": offering_id or ObjectId(), "issuerId": issuer_id or ObjectId(),
           "offeringName": offering_name, "tokenAddress": "0x" + "11" * 20, "tokenDecimals": 0,
           "dividendType": "rentalIncome", "currency": "USD", "paymentMethod": payment_method, "totalAmount": total,
           "amountPerToken": None, "declarationDate": record_date - timedelta(days=5), "recordDate": record_date,
           "paymentDate": payment_date, "documentUrl": None, "documentHash": None, "waterfall": waterfall,
           "status": status, "recordBlock": 1, "holdersCount": len(nets),
           "totals": {"gross": total, "withheld": sum(withheld.values()), "net": sum(nets.values()), "remainder": 0},
           "createdBy": None, "createdAt": now}
    distributions.insert(db, doc)
    lines = [{"_id": dividends.line_id(doc["_id"], w), "distributionId": doc["_id"], "offeringId": doc["offeringId"],
              "offeringName": offering_name, "issuerId": doc["issuerId"], "userId": (user_ids or {}).get(w),
              "walletAddress": w, "balance": 10 + i, "grossAmount": gross[w], "withheldAmount": withheld.get(w, 0),
              "dividendAmount": n, "withholdingRate": 0, "country": "GB", "status": "declared",
              "dividendType": "rentalIncome", "paymentMethod": payment_method, "documentUrl": None,
              "declarationDate": doc["declarationDate"], "recordDate": record_date, "paymentDate": payment_date,
              "createdAt": now} for i, (w, n) in enumerate(sorted(nets.items()))]
    dividends.insert_lines(db, lines)
    return doc
