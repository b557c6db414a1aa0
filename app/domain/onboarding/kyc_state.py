"""Which KYC event may change the user's KYC state, given what is stored. Pure.

Why: the provider sends its stage events (applicant created, pending, on hold, prechecked) and its
decisions at least once and in any order, and a reviewer may decide before the provider's earlier
stage events arrive. A stage event stamped later than a staff approval once set `kycStatus` back to
`pending` while `isKyc` stayed true. The rule:

- a decision (provider review, staff approve / reject / changes / revoke, expiry) applies when it is
  newer than the last decision (`kycEventAt`): decisions are ordered among themselves only;
- a stage event never changes a decided state (approved, rejected, changes requested, revoked,
  expired), nor one decided after it; otherwise its status (pending) applies whenever it arrives, and
  its provider details only when newer than the last stage event (`kycStageAt`). It never moves
  `kycEventAt`, so it cannot make a later-arriving decision look stale.

So the final state depends on the decisions and their order, never on when stage events arrive.

A renewal (app.domain.compliance.renewal) is a new generation: the investor, still approved (warned) or
expired, asks the provider for a new check at `kycRenewalAt`. A stage event stamped after that belongs to
the new check: it sets the renewal's own state (`kycRenewalStatus` pending) and the provider's details,
never the decided `kycStatus`; an older stage event (the old check's) still cannot touch anything.
The renewal's decision is an ordinary decision; it closes the renewal.
`condition` is the same rule as a MongoDB filter for the one conditional update (app.data.users).
"""

from __future__ import annotations

from app.domain.onboarding.kyc_rules import APPROVED, CHANGES_REQUESTED, REJECTED, is_newer

REVOKED, EXPIRED = "revoked", "expired"  # same values as app.domain.onboarding.revocation's
DECIDED = (APPROVED, REJECTED, CHANGES_REQUESTED, REVOKED, EXPIRED)
STAGE_EVENTS = ("applicantCreated", "applicantPending", "applicantOnHold", "applicantPrechecked")
DECISION_AT, STAGE_AT = "kycEventAt", "kycStageAt"
RENEWAL_AT, RENEWAL_STATUS = "kycRenewalAt", "kycRenewalStatus"
RENEWAL_REQUESTED, RENEWAL_PENDING = "requested", "pending"
RENEWAL_OPEN = (RENEWAL_REQUESTED, RENEWAL_PENDING)


def is_stage(event_type: str) -> bool:
    """A provider event that reports progress only; it carries no decision."""
    return event_type in STAGE_EVENTS


def split(values: dict) -> tuple[dict, dict]:
    """A stage event's (status, details): the status (pending) is sticky until a decision, so it holds whatever
    order stage events arrive in; the provider's details (sumSubKycStatus, ...) follow the latest stage event."""
    status = {k: v for k, v in values.items() if k == "kycStatus"}
    return status, {k: v for k, v in values.items() if k != "kycStatus"}


def admits(user: dict, event_at: str, *, stage: bool) -> bool:
    """Whether the event may change this user's KYC status."""
    newer = is_newer(event_at, user.get(DECISION_AT))
    return newer and (not stage or user.get("kycStatus") not in DECIDED)


def renewing(user: dict, event_at: str) -> bool:
    """Whether a stage event belongs to the user's open renewal (stamped after the renewal started)."""
    started = user.get(RENEWAL_AT)
    return (user.get(RENEWAL_STATUS) in RENEWAL_OPEN and started is not None and event_at > started
            and is_newer(event_at, user.get(DECISION_AT)))


def admits_details(user: dict, event_at: str) -> bool:
    """Whether a stage event may also set the provider's details and `kycStageAt` (the latest stage event)."""
    return (admits(user, event_at, stage=True) or renewing(user, event_at)) and is_newer(event_at, user.get(STAGE_AT))


def _newer(field: str, event_at: str) -> dict:
    return {"$or": [{field: {"$exists": False}}, {field: {"$lt": event_at}}]}


def condition(event_at: str, *, stage: bool) -> dict:
    """`admits` as a MongoDB filter, so the check and the write are one atomic update."""
    if not stage:
        return _newer(DECISION_AT, event_at)
    return {"$and": [_newer(DECISION_AT, event_at), {"kycStatus": {"$nin": list(DECIDED)}}]}


def renewal_condition(event_at: str) -> dict:
    """`renewing` as a MongoDB filter."""
    return {"$and": [_newer(DECISION_AT, event_at), {RENEWAL_STATUS: {"$in": list(RENEWAL_OPEN)}},
                     {RENEWAL_AT: {"$lt": event_at}}]}


def details_condition(event_at: str) -> dict:
    """`admits_details` as a MongoDB filter."""
    return {"$and": [{"$or": [condition(event_at, stage=True), renewal_condition(event_at)]},
                     _newer(STAGE_AT, event_at)]}


def closes_renewal(user: dict, event_at: str) -> bool:
    """A decision stamped after the renewal started is the renewal's answer: the renewal is over."""
    return user.get(RENEWAL_STATUS) in RENEWAL_OPEN and event_at > str(user.get(RENEWAL_AT) or "")


def apply(user: dict, event_at: str, values: dict, *, stage: bool) -> dict:
    """The user's state after the event: the updates the database performs (app.domain.onboarding.kyc)."""
    if not stage:
        if not admits(user, event_at, stage=False):
            return user
        closed = {RENEWAL_STATUS: None} if closes_renewal(user, event_at) else {}
        return {**user, **values, **closed, DECISION_AT: event_at}
    status, details = split(values)
    if admits(user, event_at, stage=True):
        after = {**user, **status}
    elif status and renewing(user, event_at):
        after = {**user, RENEWAL_STATUS: RENEWAL_PENDING}
    else:
        after = user
    return {**after, **details, STAGE_AT: event_at} if admits_details(after, event_at) else after
