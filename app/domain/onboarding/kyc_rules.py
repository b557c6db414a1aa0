"""KYC status rules: what a provider event means for the user's fields, and which event is newer. Pure.

Why: the provider (Sumsub-style) sends webhooks at least once and in any order. The job
applying them stores the event's createdAtMs on the user (`kycEventAt`) and only applies an
event strictly newer than the stored one, in one conditional update; these functions decide
the values, so the rule is tested without any server. Which events may apply at all (a stage
event never undoes a decision) is kyc_state's rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# kycStatus (seed: KycStatusEnum)
NOT_STARTED, IN_PROGRESS, SUBMITTED, PENDING = "notStarted", "inProgress", "submitted", "pending"
CHANGES_REQUESTED, APPROVED, REJECTED = "changesRequested", "approved", "rejected"
KYC_STATUSES = (NOT_STARTED, IN_PROGRESS, SUBMITTED, PENDING, CHANGES_REQUESTED, APPROVED, REJECTED)
LOCKED_STATUSES = (SUBMITTED, PENDING, APPROVED)  # the wizard's data is read-only in these

# sumSubKycStatus (seed: sumSubKycStatusEnum): the provider's own review status
SUMSUB_STATUSES = ("init", "pending", "prechecked", "queued", "completed", "onHold")

_CREATED_AT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$", re.ASCII)


class BadEvent(ValueError):
    """The webhook payload lacks what the rules need (applicant id, type, createdAtMs)."""


@dataclass(frozen=True)
class KycUpdate:
    """The user fields one event sets; `counts` marks a completed review (kycCount += 1)."""

    values: dict = field(default_factory=dict)
    counts: bool = False
    unlock: bool = False  # the investor may edit and submit again
    approved: bool = False


def event_time(payload: dict) -> str:
    """The event's createdAtMs, normalised to 'YYYY-MM-DD HH:MM:SS.ffffff' so strings compare in time order."""
    raw = str(payload.get("createdAtMs") or payload.get("createdAt") or "").strip().replace("T", " ").rstrip("Z")
    if not _CREATED_AT.match(raw):
        raise BadEvent(f"createdAtMs missing or malformed: {raw!r}")
    date_time, _, fraction = raw.partition(".")
    return f"{date_time}.{fraction.ljust(6, '0')}"


def is_newer(event_at: str, stored_at: str | None) -> bool:
    """An event applies only when strictly newer than the last applied one (a replay is not newer)."""
    return stored_at is None or event_at > stored_at


def rejection_reason(review_result: dict) -> str:
    """kycReason shown to the investor: the moderator's comment and the provider's labels."""
    comment = str(review_result.get("moderationComment") or "").strip()
    labels = review_result.get("rejectLabels")
    labels = ", ".join(str(x) for x in labels) if isinstance(labels, list) else ""
    parts = [p for p in (comment, f"({labels})" if labels else "") if p]
    return " ".join(parts) or "Your identity verification was not accepted."


def update_for(payload: dict) -> KycUpdate | None:
    """The fields an event sets on the user; None for event types that change nothing here."""
    kind = payload.get("type")
    if not isinstance(payload.get("applicantId"), str) or not payload["applicantId"] or not isinstance(kind, str) \
            or not kind or not isinstance(payload.get("externalUserId", ""), str):
        raise BadEvent("applicantId and type are required, as text (externalUserId too when given)")
    base = {"webhookReceived": kind, "sumSubKycStatus": str(payload.get("reviewStatus") or "")}
    if payload.get("levelName"):
        base["levelName"] = str(payload["levelName"])
    if kind == "applicantCreated":
        return KycUpdate({**base, "sumSubKycStatus": "init"})
    if kind in ("applicantPending", "applicantOnHold", "applicantPrechecked"):
        return KycUpdate({**base, "kycStatus": PENDING})
    if kind != "applicantReviewed":
        return None
    result = payload.get("reviewResult") or {}
    if not isinstance(result, dict):
        raise BadEvent("reviewResult is not an object")
    if result.get("reviewAnswer") == "GREEN":
        # kycApprovedAt starts the approval's validity (app.domain.compliance.kyc_validity)
        return KycUpdate({**base, "kycStatus": APPROVED, "isKyc": True, "kycReason": "",
                          "kycApprovedAt": event_time(payload), "kycWarningDays": None, "kycValidUntil": None},
                         counts=True, approved=True)
    final = result.get("reviewRejectType") == "FINAL"
    return KycUpdate({**base, "kycStatus": REJECTED, "isKyc": False, "kycReason": rejection_reason(result),
                      "kycFinalRejection": final}, counts=True, unlock=not final)
