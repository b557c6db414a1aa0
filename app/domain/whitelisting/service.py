"""The investor's side of whitelisting: ask to invest, sign the subscription agreement, follow each stage.

Why claim first, then call the provider: a double click or two tabs must create one request and
one envelope. The request document is claimed with one insert (unique per investor and
offering) or one conditional reopen (after a decline or an expiry) under a fresh `requestId`;
only the claimant creates the envelope, and attaches it only while its claim still stands.
A provider failure releases the claim, so the investor can simply try again. Every write to an
existing request holds `locks.whitelist` (app/locks.py), or it could undo a concurrent one (a
webhook's "signed", a reviewer's decision).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId
from flask import current_app

from app import locks
from app.data import offerings, user_details, whitelists
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.offerings.service import NotFound
from app.domain.platform import audit
from app.domain.whitelisting import rules
from app.providers.docusign import DocuSignClient, EsignProviderError, Signer

log = logging.getLogger(__name__)


class Refused(errors.Refused):
    """The investor may not do this now; the message says why and what to do."""


@dataclass(frozen=True)
class Status:
    offering_id: str
    title: str
    whitelist: dict | None
    stage: rules.Stage
    refusal: str | None  # why a (new) request would be refused now; None when the investor may ask
    wallets: list[str]  # the investor's verified wallets, to choose the one to whitelist


def _offering(offering_id: str) -> dict:
    oid = parse_id(offering_id)
    doc = offerings.by_id(get_db(), oid) if oid else None
    if doc is None or doc.get("isDelete"):
        raise NotFound(offering_id)
    return doc


def _title(offering: dict) -> str:
    return (offering.get("overview") or {}).get("title") or "this offering"


def status(user: dict, offering_id: str) -> Status:
    """Where the investor's request stands, and whether they may ask (again)."""
    offering = _offering(offering_id)
    db = get_db()
    whitelist = whitelists.of_user(db, user["_id"], offering["_id"])
    refusal, wallets = None, user_details.verified_wallets(db, user["_id"])
    if whitelist is None or whitelist["status"] in rules.REQUEST_AGAIN:
        refusal = rules.request_refusal(user, wallets, offering, datetime.now(UTC))
    return Status(offering_id, _title(offering), whitelist, rules.stage_of(whitelist), refusal, wallets)


def stage_for(user: dict | None, offering_id: str) -> rules.Stage | None:
    """The stage shown on the offering page (None for visitors and staff)."""
    if not user or user.get("userType") != "investor" or not parse_id(offering_id):
        return None
    return rules.stage_of(whitelists.of_user(get_db(), user["_id"], parse_id(offering_id)))


def request(user: dict, offering_id: str, address: str = "") -> dict:
    """Ask to be whitelisted: the request and its envelope, or the existing open request (a double request)."""
    offering = _offering(offering_id)
    db = get_db()
    wallets = user_details.verified_wallets(db, user["_id"])
    refusal = rules.request_refusal(user, wallets, offering, datetime.now(UTC))
    if refusal:
        raise Refused(refusal)
    address = address.strip() or wallets[0]
    if address not in wallets:
        raise Refused("Choose one of your verified wallets.")
    existing = whitelists.of_user(db, user["_id"], offering["_id"])
    if existing and existing["status"] not in rules.REQUEST_AGAIN:
        return existing
    request_id = secrets.token_urlsafe(12)
    fields = _request_fields(user, offering, address, request_id)
    if existing is None:
        claimed = whitelists.insert_new(db, {"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"],
                                             **fields})
        restore = None
    else:
        with locks.whitelist(existing["_id"]):
            claimed = whitelists.reopen(db, existing["_id"], rules.REQUEST_AGAIN, fields)
        restore = {k: existing.get(k) for k in ("status", "envelopeId", "is_expired", "is_signed")}
    current = whitelists.of_user(db, user["_id"], offering["_id"])
    if not claimed:
        return current  # the other request won; it creates the envelope
    _send_envelope(user, offering, current, request_id, restore)
    audit.record("whitelist.requested", actor=user, details={"offeringId": offering_id,
                                                             "whitelistId": str(current["_id"]), "address": address})
    return whitelists.get(db, current["_id"])


def _request_fields(user: dict, offering: dict, address: str, request_id: str) -> dict:
    return {"address": address, "status": rules.PENDING_SIGNATURE, "taStatus": rules.TA_PENDING,
            "is_signed": False, "is_expired": False, "whiteListReason": "", "envelopeId": None,
            "template_id": current_app.config["ESIGN_TEMPLATE_ID"], "requestId": request_id,
            "requestedAt": datetime.now(UTC), "userEmail": user.get("email"),
            "userName": user.get("legalFullName") or user.get("name") or user.get("email"),
            "offeringTitle": _title(offering)}


def _signer(user: dict) -> Signer:
    return Signer(email=user["email"], name=user.get("legalFullName") or user.get("name") or user["email"],
                  client_user_id=str(user["_id"]))


def _send_envelope(user: dict, offering: dict, whitelist: dict, request_id: str, restore: dict | None) -> None:
    config = current_app.config
    try:
        envelope = DocuSignClient.from_config(config).create_envelope(
            config["ESIGN_TEMPLATE_ID"], _signer(user), email_subject=f"Subscription agreement: {_title(offering)}",
            custom_fields={"whitelistId": str(whitelist["_id"]), "offeringId": str(offering["_id"])})
    except EsignProviderError as error:
        log.error("envelope for whitelist %s not created: %s", whitelist["_id"], error)
        with locks.whitelist(whitelist["_id"]):
            whitelists.release(get_db(), whitelist["_id"], request_id, restore)
        raise Refused("The e-signature service is not answering; please try again in a few minutes.") from None
    with locks.whitelist(whitelist["_id"]):
        whitelists.attach_envelope(get_db(), whitelist["_id"], request_id, {"envelopeId": envelope["envelopeId"]})


def signing_url(user: dict, offering_id: str, return_url: str) -> str:
    """A fresh embedded-signing URL for the investor's open envelope (they are short-lived by design)."""
    offering = _offering(offering_id)
    db = get_db()
    whitelist = whitelists.of_user(db, user["_id"], offering["_id"])
    if not whitelist or whitelist["status"] != rules.PENDING_SIGNATURE or not whitelist.get("envelopeId"):
        raise Refused("There is no agreement waiting for your signature.")
    try:
        url = DocuSignClient.from_config(current_app.config).signing_url(whitelist["envelopeId"], _signer(user),
                                                                         return_url)
    except EsignProviderError as error:
        log.error("signing URL for envelope %s not created: %s", whitelist["envelopeId"], error)
        raise Refused("The e-signature service is not answering; please try again in a few minutes.") from None
    with locks.whitelist(whitelist["_id"]):
        whitelists.set_fields(db, whitelist["_id"], {"docuSignurl": url})
    return url
