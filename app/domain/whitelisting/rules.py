"""Whitelisting rules: who may ask, what an e-signature event means, which event is newer, what each
stage says, and which decisions the state allows. Pure: no server needed.

Why apart: the webhook job, the investor pages and the back office all decide with these same
functions, and their edge cases (out-of-order events, refusals) are tested without a stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.domain.marketplace.listing import CLOSED, country_allowed, listing_state

# whitelists.status (seed vocabulary) and taStatus
PENDING_SIGNATURE, SIGNED, APPROVED = "pending_signature", "signed", "approved"
REJECTED, DECLINED, EXPIRED = "rejected", "declined", "expired"
REMOVED = "removed"  # approved, then the wallet left the identity registry on chain (app.data.whitelists)
STATUSES = (PENDING_SIGNATURE, SIGNED, APPROVED, REJECTED, DECLINED, EXPIRED, REMOVED)
TA_PENDING, TA_APPROVED, TA_REJECTED = "pending", "approved", "rejected"
REQUEST_AGAIN = (DECLINED, EXPIRED)  # the investor may ask again from these
ESIGN_STAGES = (PENDING_SIGNATURE, SIGNED, DECLINED, EXPIRED)  # e-signature events may still change these

# Connect envelope status -> whitelist fields. "voided" is how DocuSign reports an expired envelope.
_ENVELOPE_STATUS = {
    "sent": {"status": PENDING_SIGNATURE, "is_signed": False, "is_expired": False},
    "delivered": {"status": PENDING_SIGNATURE, "is_signed": False, "is_expired": False},
    "completed": {"status": SIGNED, "is_signed": True, "is_expired": False},
    "declined": {"status": DECLINED, "is_signed": False, "is_expired": False},
    "voided": {"status": EXPIRED, "is_signed": False, "is_expired": True},
}
_GENERATED = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:?00)?$", re.ASCII)


class BadEvent(ValueError):
    """A signed Connect payload that lacks what the rules need (envelope id, status, generatedDateTime)."""


@dataclass(frozen=True)
class EsignEvent:
    envelope_id: str
    event: str
    envelope_status: str
    at: datetime
    values: dict = field(default_factory=dict)

    @property
    def delivery_id(self) -> str:
        """One Connect message: its retries repeat these three, so a retry is recognised as already received."""
        return f"{self.envelope_id}:{self.event}:{self.at.isoformat()}"


def generated_at(raw) -> datetime:
    """Connect's generatedDateTime ('2026-11-25T10:00:00.1234567Z', UTC, up to 7 decimals) as an aware datetime."""
    match = _GENERATED.match(str(raw or "").strip())
    if not match:
        raise BadEvent(f"generatedDateTime missing or malformed: {raw!r}")
    day, time_of_day, fraction, _zone = match.groups()
    micro = (fraction or "")[:3].ljust(6, "0")  # BSON dates keep milliseconds: compare what is stored
    return datetime.fromisoformat(f"{day}T{time_of_day}.{micro}").replace(tzinfo=UTC)


def parse_event(payload: dict) -> EsignEvent:
    """What one Connect delivery says: which envelope, what happened, when, and the whitelist fields it sets."""
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    summary = data.get("envelopeSummary") if isinstance(data.get("envelopeSummary"), dict) else {}
    envelope_id, event = data.get("envelopeId") or summary.get("envelopeId") or "", payload.get("event") or ""
    if not isinstance(envelope_id, str) or not isinstance(event, str):  # a signed body is trusted, its shape is not
        raise BadEvent("the envelope id and the event must be text")
    envelope_id, event = envelope_id.strip(), event.strip()
    status = str(summary.get("status") or event.removeprefix("envelope-")).strip().lower()
    if not envelope_id or not event:
        raise BadEvent("the delivery names no envelope or event")
    at = generated_at(payload.get("generatedDateTime"))
    values = dict(_ENVELOPE_STATUS.get(status, {}))
    if status == "declined":
        values["declineReason"] = str(summary.get("declinedReason") or "").strip()[:500]
    if status == "completed":
        values["signedAt"] = at
    return EsignEvent(envelope_id, event, status, at, values)


def request_refusal(user: dict, wallets: list[str], offering: dict | None, now: datetime) -> str | None:
    """Why this investor may not ask to be whitelisted for this offering now (None: they may)."""
    state = listing_state(offering, now) if offering else None
    if state is None or state == CLOSED or not (offering or {}).get("identityRegistry") or \
            not _may_join(offering, user):
        return "This offering is not open for investment."
    if not (user.get("isKyc") or user.get("kycStatus") == "approved"):
        return "Complete identity verification (KYC) first; you can ask to invest once it is approved."
    if not wallets:
        return "Connect and verify a wallet first; your tokens will be delivered to it."
    allowed = country_allowed(offering, user.get("residenceCountry"))
    if allowed is None:
        return "We do not know your country of residence yet; it is recorded when your KYC is approved."
    if not allowed:
        return "This offering is not available to residents of your country."
    return None


def _may_join(offering: dict, user: dict) -> bool:
    """A private offering is open to its members only (by user id or email), as on the marketplace."""
    details = offering.get("projectDetails") or {}
    if not details.get("isPrivate"):
        return True
    return bool({str(user.get("_id")), user.get("email")} & set(details.get("offeringMembers") or []))


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    text: str


def stage_of(whitelist: dict | None) -> Stage:
    """What the investor is shown: one stage per step, approved only once the registry holds the wallet."""
    if not whitelist:
        return Stage("none", "Not requested", "Ask to invest to receive the subscription agreement to sign.")
    status, reason = whitelist.get("status"), whitelist.get("whiteListReason") or ""
    if status == PENDING_SIGNATURE:
        return Stage("awaiting_signature", "Awaiting your signature", "Sign the subscription agreement.")
    if status == SIGNED and whitelist.get("adminStatus") == APPROVED:
        return Stage("registering", "Approved, registering on chain",
                     "Your wallet is being registered in the offering's identity registry.")
    if status == SIGNED:
        return Stage("awaiting_approval", "Signed, awaiting approval",
                     "The transfer agent and our compliance team are reviewing your subscription.")
    if status == APPROVED:
        return Stage("approved", "Approved", "Your wallet is registered on chain; you may invest.")
    if status == REMOVED:
        return Stage("removed", "Removed from the registry",
                     "Your wallet was removed from this offering's identity registry on chain, so you cannot order "
                     "tokens of it for now. It is restored when Libertum registers your wallet again; contact "
                     "support to ask why.")
    if status == REJECTED:
        return Stage("rejected", "Rejected", reason or "Your request was not approved.")
    if status == DECLINED:
        return Stage("declined", "Declined", "You declined to sign the agreement; you may ask again.")
    return Stage("expired", "Expired", "The agreement expired before it was signed; you may ask again.")


def ta_refusal(whitelist: dict, decision: str, reason: str) -> str | None:
    """Why the transfer agent may not record `decision` now."""
    if decision not in (TA_APPROVED, TA_REJECTED):
        return "Choose approve or reject."
    if decision == TA_REJECTED and not reason:
        return "Give the investor a reason."
    if whitelist.get("status") != SIGNED or whitelist.get("adminStatus"):
        return "Only a signed request awaiting approval can be decided."
    if whitelist.get("taStatus") not in (None, TA_PENDING):
        return "The transfer agent has already decided this request."
    return None


def final_refusal(whitelist: dict, decision: str, reason: str) -> str | None:
    """Why an admin may not record the final `decision` now (approval needs a signature and the TA's approval)."""
    if decision not in (APPROVED, REJECTED):
        return "Choose approve or reject."
    if decision == REJECTED and not reason:
        return "Give the investor a reason."
    if whitelist.get("adminStatus") or whitelist.get("status") in (APPROVED, REJECTED):
        return "This request has already been decided."
    if decision == APPROVED and whitelist.get("status") != SIGNED:
        return "Only a signed subscription can be approved."
    if decision == APPROVED and whitelist.get("taStatus") != TA_APPROVED:
        return "The transfer agent has to approve first."
    if decision == REJECTED and whitelist.get("status") not in (PENDING_SIGNATURE, SIGNED):
        return "Only an open request can be rejected."
    return None
