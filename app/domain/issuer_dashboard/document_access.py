"""The documents of an offering and who opened or accepted which version of each.

Opened: recorded when a signed-in investor downloads an offering document (the marketplace's download
route calls `opened`). Accepted: the subscription agreement an investor signed through e-signature,
read from the whitelist request itself (its template and signing time), so nothing is recorded twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.data import document_accesses, offerings, reporting
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.offerings.page import DOCUMENT_LABELS


def _versions(offering: dict) -> dict[str, tuple[str, str]]:
    """{key: (label, stored name)} of every document the offering has."""
    documents = offering.get("documents") or {}
    found = {key: (label, documents[key]) for key, label in DOCUMENT_LABELS.items() if documents.get(key)}
    for index, custom in enumerate(documents.get("customDocs") or []):
        if custom.get("value"):
            found[f"custom-{index}"] = (custom.get("label") or f"Document {index + 1}", custom["value"])
    return found


def opened(config: dict, offering_id: str, key: str, viewer: dict | None) -> None:
    """Note that `viewer` downloaded document `key` (visitors are not logged: there is no one to name)."""
    oid = parse_id(offering_id)
    if viewer is None or oid is None:
        return
    db = get_db(config)
    offering = offerings.by_id(db, oid) or {}
    label, version = _versions(offering).get(key, (key, ""))
    document_accesses.insert(db, {"offeringId": oid, "key": key, "label": label, "version": version,
                                  "action": "opened", "userId": viewer["_id"], "email": viewer.get("email"),
                                  "at": datetime.now(UTC)})


def log_of(offering: dict) -> dict:
    """The offering's documents and the access log: downloads and signed subscription agreements, newest first."""
    db = get_db()
    entries = [{"at": e["at"], "email": e.get("email") or "", "document": e.get("label") or e.get("key"),
                "version": e.get("version") or "", "action": "opened"}
               for e in document_accesses.of_offering(db, offering["_id"])]
    for request in reporting.whitelists_of(db, [offering["_id"]]):
        if request.get("signedAt"):
            entries.append({"at": request["signedAt"], "email": request.get("userEmail") or "",
                            "document": DOCUMENT_LABELS["eSign"], "version": request.get("template_id") or "",
                            "action": "accepted (e-signed)"})
    entries.sort(key=lambda e: e["at"] if e["at"].tzinfo else e["at"].replace(tzinfo=UTC), reverse=True)
    documents = [{"key": key, "label": label, "version": version}
                 for key, (label, version) in _versions(offering).items()]
    return {"documents": documents, "entries": entries}
