"""Jobs of the `kyc` queue: apply one recorded provider webhook by id; safe to run twice."""

from __future__ import annotations

from app.domain.onboarding import kyc
from app.domain.onboarding import service as onboarding
from app.tasks.queues import KYC, job


@job(KYC, timeout=60)
def apply_kyc_event(event_id: str) -> str:
    """Apply the stored webhook `event_id` to its user; returns the outcome recorded for it."""
    return kyc.apply_event(event_id)


@job(KYC, timeout=120)
def open_applicant(user_id: str) -> str:
    """Create (or find) the provider applicant of a submitted application and ask for its check."""
    return onboarding.open_applicant(user_id)


@job(KYC, timeout=120)
def renew_applicant(user_id: str) -> str:
    """The investor renews their KYC: the provider checks their applicant again (same webhooks)."""
    from app.domain.compliance import renewal

    return renewal.ask_provider(user_id)
