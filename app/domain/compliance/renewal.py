"""The investor renews their KYC from the app: a new check at the provider, through the same webhooks.

Who may: an investor whose approval is expiring (the 60-day warning went out: `kycWarningDays`) or expired.
Starting stamps `kycRenewalAt` (the provider's event-time format, so stage events compare with it) and
sets `kycRenewalStatus` requested, under the user's lock and only while no renewal is open, so a double
click starts one. The decided `kycStatus` stays as it is: an approved investor keeps investing until the
end of the validity. A job then asks the provider for the new check (app.tasks.kyc.renew_applicant);
the provider's stage events for it show as "renewal in progress" (app.domain.onboarding.kyc_state), and
its decision is applied like any other: an approval restarts the validity, restores the claim and
releases held orders (app.domain.onboarding.identities, app.domain.compliance.rekyc).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bson import ObjectId
from flask import current_app

from app import locks
from app.data import users
from app.data.mongo import get_db
from app.domain import errors
from app.domain.compliance import kyc_validity as validity
from app.domain.onboarding import kyc_rules, kyc_state
from app.domain.platform import audit
from app.providers.sumsub import SumsubClient


class RenewalRefused(errors.Refused, RuntimeError):
    """Nothing to renew (not expiring yet, or a renewal is already open)."""


def in_progress(user: Mapping) -> bool:
    return user.get(kyc_state.RENEWAL_STATUS) in kyc_state.RENEWAL_OPEN


def may_renew(user: Mapping) -> bool:
    """Expired, or approved and warned (the 60-day warning went out), with no renewal open yet."""
    status = user.get("kycStatus")
    due = status == validity.EXPIRED or (status == kyc_rules.APPROVED and bool(user.get("kycWarningDays")))
    return due and bool(user.get("kycApplicationId")) and not in_progress(user)


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # kyc_rules.event_time's format


def start(user: Mapping, now: datetime | None = None) -> str:
    """Open the renewal and queue the provider's new check; the renewal's stamp."""
    from app.tasks import kyc as kyc_jobs  # the job module imports the onboarding service

    if not may_renew(user):
        raise RenewalRefused("Your verification cannot be renewed now: it is not due for renewal, "
                             "or a renewal is already being checked.")
    stamp, db = _stamp(now or datetime.now(UTC)), get_db()
    with locks.user(user["_id"]):
        opened = users.set_if(db, ObjectId(user["_id"]),
                              {"kycStatus": user["kycStatus"],
                               kyc_state.RENEWAL_STATUS: {"$nin": list(kyc_state.RENEWAL_OPEN)}},
                              {kyc_state.RENEWAL_AT: stamp, kyc_state.RENEWAL_STATUS: kyc_state.RENEWAL_REQUESTED,
                               "updatedAt": datetime.now(UTC)})
    if not opened:
        raise RenewalRefused("A renewal is already being checked.")
    audit.record("kyc.renewal_started", actor=user, details={"renewalAt": stamp})
    digits = "".join(c for c in stamp if c.isdigit())
    kyc_jobs.renew_applicant.delay(str(user["_id"]), job_id=f"kyc-renewal-{user['_id']}-{digits}")
    return stamp


def ask_provider(user_id: str) -> str:
    """The job's body: the provider checks the investor's applicant again. Safe to run again (the provider's
    check request of an applicant already pending changes nothing for the platform: its event is a stage)."""
    db = get_db()
    user = users.by_id(db, ObjectId(user_id))
    if user is None or not in_progress(user):
        return "closed"
    provider = SumsubClient.from_config(current_app.config)
    applicant = provider.applicant_by_external_id(user_id)
    provider.request_check(applicant["id"])
    return applicant["id"]
