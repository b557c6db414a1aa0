"""Why a signed-in person may not open a page yet, and what to do next: the friendly 403 (still status 403).

Pure: takes the route's access rule and the user document, returns words and the next step's endpoint. The
issuer path depends on where the person is in it (identity verification, issuer application, review).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.accounts.permissions import ADMIN, INVESTOR, ISSUER, PERMISSIONS, STAFF_TYPES, AccessRule, User

GENERIC = "You do not have permission to open this page."


@dataclass(frozen=True)
class NotYet:
    """A refusal a person can act on: `reason` (why), `next_label` and `next_endpoint` (what to do now)."""

    reason: str
    next_label: str
    next_endpoint: str


def _issuer_step(user: User) -> NotYet:
    status = user.get("issuerStatus")
    if status == "pending":
        return NotYet("Issuer pages open once your issuer application is approved. It is being reviewed now; "
                      "we will email you the decision.", "See your application", "onboarding.show_onboarding")
    if status == "rejected":
        reason = (user.get("issuerReason") or "").strip()
        return NotYet("Your issuer application was not approved" + (f": {reason}" if reason else ".")
                      + " You can correct it and apply again.", "Apply again", "onboarding.apply_issuer")
    if not user.get("isKyc"):
        return NotYet("Issuer pages open once your issuer application is approved. First verify your identity "
                      "(about five minutes), then apply as an issuer with your company's details.",
                      "Start identity verification", "onboarding.show_wizard")
    return NotYet("Issuer pages open once your issuer application is approved: apply with your company's details "
                  "and its certificate of incorporation.", "Apply to become an issuer", "onboarding.apply_issuer")


def not_yet(rule: AccessRule, user: User) -> NotYet:
    """The reason `user` (signed in) may not open a route guarded by `rule`, and the next step."""
    kind = (user or {}).get("userType")
    if rule.kind == ISSUER:
        if kind in STAFF_TYPES:
            return NotYet("Issuer pages belong to issuers' accounts; staff see offerings in the back office.",
                          "Open the back office", "admin.show_dashboard")
        return _issuer_step(user or {})
    if rule.kind == INVESTOR:
        if kind == ISSUER:
            return NotYet("The portfolio belongs to investor accounts; your account raises capital. Your offerings "
                          "and their investors are in the issuer area.", "Open the issuer area",
                          "issuer.show_dashboard")
        return NotYet("The portfolio belongs to investor accounts; staff see orders in the back office.",
                      "Open the back office", "admin.show_dashboard")
    if rule.kind == "staff" and kind in STAFF_TYPES and rule.permission:
        return NotYet(f"This back-office page needs the “{PERMISSIONS[rule.permission]}” permission. Ask an admin "
                      "to grant it to your account.", "Back to the back office", "admin.show_dashboard")
    if rule.kind == ADMIN and kind in STAFF_TYPES:
        return NotYet("Only admins may open this page; ask an admin if you need it done.",
                      "Back to the back office", "admin.show_dashboard")
    return NotYet("The back office is for Libertum's staff. Offerings open to you are in the marketplace.",
                  "Browse the marketplace", "marketplace.list_offerings")
