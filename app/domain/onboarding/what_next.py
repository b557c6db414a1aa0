"""What comes next, said at the end of each identity-verification and issuer-application stage. Pure.

Why: people who submit something and hear nothing come back asking. Each page says what we do now,
how long it usually takes, how they will be told, and what they do after. For people who came to raise
capital (`signupGoal`), and for anyone applying as an issuer, the steps after identity verification
are read from the issuer path (issuer_path.steps, the list /auth/raise-capital shows), not written twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.onboarding import issuer_path
from app.domain.onboarding import kyc_rules as k

KYC_CHECK = "We check your documents, usually within one working day, and email you the decision."
INVEST_NEXT = "Once you are verified, you connect a wallet and can invest in live offerings."
APPLY, REVIEW, FIRST = "Apply as an issuer", "Libertum reviews your application", "Create your first offering"
PATH_LINK = ("auth.show_raise_capital", "See every step of raising capital")


@dataclass(frozen=True)
class Next:
    text: str
    action: str | None = None  # endpoint of the page to go to
    action_label: str | None = None


def raising(user: Mapping) -> bool:
    """Came to raise capital and is not an issuer yet: the issuer path follows identity verification."""
    return user.get("signupGoal") == issuer_path.RAISE and not user.get("isIssuer")


def _step(user: Mapping, title: str) -> issuer_path.PathStep:
    return next(s for s in issuer_path.steps(user) if s.title == title)


def _after_verification(user: Mapping) -> str:
    return f"Once you are verified, you apply as an issuer. {_step(user, REVIEW).text}" if raising(user) \
        else INVEST_NEXT


def before_kyc_submit(user: Mapping) -> Next:
    """Said at the wizard's last step, above the submit button."""
    return Next(f"After you submit, your details are locked. {KYC_CHECK} {_after_verification(user)}")


def kyc(user: Mapping) -> Next:
    """Said on the verification page for the current KYC status (after submitting, and after a decision)."""
    status = user.get("kycStatus") or k.NOT_STARTED
    if status in (k.NOT_STARTED, k.IN_PROGRESS):
        return Next(f"It takes about five minutes. After you submit, {KYC_CHECK[0].lower()}{KYC_CHECK[1:]} "
                    f"{_after_verification(user)}")
    if status in (k.SUBMITTED, k.PENDING):
        return Next(f"{KYC_CHECK} {_after_verification(user)}", *(PATH_LINK if raising(user) else (None, None)))
    if status in (k.REJECTED, k.CHANGES_REQUESTED):
        if user.get("kycFinalRejection"):
            return Next("This application cannot be submitted again. Write to support if you think this is wrong.")
        return Next(f"Correct what the reviewer asked for and submit again. {KYC_CHECK}")
    if user.get("kycRenewalStatus") in ("requested", "pending"):  # kyc_state.RENEWAL_OPEN
        return Next(f"Your renewal is with the provider. {KYC_CHECK} An approval restarts your verification's "
                    "validity and delivers any tokens held meanwhile.")
    if status == k.APPROVED and user.get("isKyc"):
        if raising(user) and user.get("issuerStatus") == "pending":  # said once, in the issuer part of the page
            return Next("Your identity is verified. Your issuer application is with us; see below.")
        if raising(user):
            return issuer(user)
        return Next("Your identity is verified. Next, connect a wallet below; once it is verified you can invest in "
                    "live offerings.", "marketplace.list_offerings", "Browse offerings")
    if status == "expired":
        return Next("Your verification is no longer valid. Renew it above: the provider checks your identity again, "
                    "then you can place orders and receive held tokens.")
    return Next("Your verification is no longer valid. Verify your identity again to place orders.")


def before_issuer_apply(user: Mapping) -> Next:
    """Said on the issuer application form, above the send button."""
    return Next(f"After you send it: {_step(user, REVIEW).text} Then you create your first offering: "
                f"{_step(user, FIRST).text}")


def issuer(user: Mapping) -> Next:
    """Said where the issuer application stands: the issuer path's current step after identity verification."""
    for step in issuer_path.steps(user)[2:]:
        if step.state == issuer_path.CURRENT:
            if step.action in (None, "onboarding.show_onboarding"):  # no link to the page it is said on
                return Next(step.text, *PATH_LINK)
            return Next(step.text, step.action, step.action_label)
    return Next(_step(user, APPLY).text, *PATH_LINK)
