"""The way from a new account to a first offering, for people who signed up to raise capital. Pure.

Each step is done, current (the one to do now, with its link) or next (said, so nobody guesses what follows):
confirm the email, verify one's identity (KYC), apply as an issuer (company data and certificate), Libertum's
review of the application, then the first offering. The rules are the platform's own: an issuer application
needs an approved KYC (issuer_applications.apply), and an approved application makes the account an issuer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DONE, CURRENT, NEXT = "done", "current", "next"
RAISE, INVEST = "raise", "invest"
GOALS = (INVEST, RAISE)


@dataclass(frozen=True)
class PathStep:
    title: str
    state: str  # done, current or next
    text: str  # what happens in this step, or what the person must do now
    action: str | None = None  # endpoint of the page to do it on (current steps only)
    action_label: str | None = None


def _kyc(user: Mapping) -> tuple[str, str, str | None, str | None]:
    status = user.get("kycStatus")
    if user.get("isKyc"):
        return DONE, "Your identity is verified.", None, None
    if status in ("submitted", "pending"):
        return CURRENT, "Your documents are being checked; we email you the decision. Next you apply as an issuer.", \
            "onboarding.show_onboarding", "See your verification"
    if status in ("rejected", "changesRequested"):
        reason = (user.get("kycReason") or "").strip()
        return CURRENT, ("The reviewer asked for changes" + (f": {reason}" if reason else "") + "."), \
            "onboarding.show_wizard", "Update your verification"
    return CURRENT, ("Tell us who you are and upload an identity document (about five minutes). Once it is "
                     "approved you apply as an issuer."), "onboarding.show_wizard", "Start identity verification"


def _application(user: Mapping, kyc_done: bool) -> tuple[PathStep, PathStep]:
    status = user.get("issuerStatus")
    if user.get("isIssuer"):
        return (PathStep("Apply as an issuer", DONE, "Your company's application was sent."),
                PathStep("Libertum reviews your application", DONE, "Your application is approved."))
    if status == "pending":
        return (PathStep("Apply as an issuer", DONE, "Your company's application was sent."),
                PathStep("Libertum reviews your application", CURRENT,
                         "We check your company and email you the decision. Once approved, you create your first "
                         "offering.", "onboarding.show_onboarding", "See your application"))
    review = PathStep("Libertum reviews your application", NEXT,
                      "We check your company and email you the decision.")
    if not kyc_done:
        return (PathStep("Apply as an issuer", NEXT, "Your company's name, type, line of business, source of "
                         "funds and its certificate of incorporation."), review)
    text = ("Your company's name, type, line of business, source of funds and its certificate of incorporation. "
            "Next, we review it.")
    if status == "rejected":
        reason = (user.get("issuerReason") or "").strip()
        text = "Your application was not approved" + (f": {reason}" if reason else "") + ". Correct it and apply again."
    return PathStep("Apply as an issuer", CURRENT, text, "onboarding.apply_issuer", "Apply as an issuer"), review


def steps(user: Mapping) -> list[PathStep]:
    """The issuer path of `user` (a users document), in order; exactly one step is current until the end."""
    email_done = bool(user.get("isEmailVerify"))
    email = PathStep("Confirm your email address", DONE if email_done else CURRENT,
                     "Your email address is confirmed." if email_done else
                     "Open the link we mailed you. Next you verify your identity.",
                     None if email_done else "auth.show_account", None if email_done else "Send the link again")
    kyc_state, kyc_text, kyc_action, kyc_label = _kyc(user)
    if not email_done and kyc_state == CURRENT:
        kyc_state, kyc_action, kyc_label = NEXT, None, None
    kyc = PathStep("Verify your identity", kyc_state, kyc_text, kyc_action, kyc_label)
    apply, review = _application(user, kyc_state == DONE)
    first = PathStep("Create your first offering", CURRENT if user.get("isIssuer") else NEXT,
                     "Describe the property, the token and the raise; we review it before it goes live.",
                     *(("issuer.show_dashboard", "Open the issuer area") if user.get("isIssuer") else (None, None)))
    return [email, kyc, apply, review, first]


def landing(user: Mapping) -> str:
    """Where a person lands after signing in (no `next`): the issuer path while someone who came to raise capital
    is on it, else the account page."""
    return "auth.show_raise_capital" if user.get("signupGoal") == RAISE and not user.get("isIssuer") \
        else "auth.show_account"
