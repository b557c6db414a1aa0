"""Why someone may not open a page yet, and the next step: pure rules over the user document and the route's rule."""

import pytest

from app.access_reasons import not_yet
from app.domain.accounts.permissions import ADMINS, INVESTORS, ISSUERS, STAFF, staff


@pytest.mark.parametrize(("rule", "user", "endpoint", "words"), [
    (ISSUERS, {"userType": "investor"}, "onboarding.show_wizard", "First verify your identity"),
    (ISSUERS, {"userType": "investor", "isKyc": True}, "onboarding.apply_issuer", "apply with your company"),
    (ISSUERS, {"userType": "investor", "isKyc": True, "issuerStatus": "pending"}, "onboarding.show_onboarding",
     "being reviewed now"),
    (ISSUERS, {"userType": "investor", "isKyc": True, "issuerStatus": "rejected", "issuerReason": "Unsigned"},
     "onboarding.apply_issuer", "not approved: Unsigned"),
    (ISSUERS, {"userType": "admin"}, "admin.show_dashboard", "staff see offerings in the back office"),
    (INVESTORS, {"userType": "issuer"}, "issuer.show_dashboard", "your account raises capital"),
    (INVESTORS, {"userType": "subadmin"}, "admin.show_dashboard", "staff see orders"),
    (STAFF, {"userType": "investor"}, "marketplace.list_offerings", "for Libertum's staff"),
    (staff("kyc"), {"userType": "subadmin", "permissions": ["orders"]}, "admin.show_dashboard", "“KYC review”"),
    (ADMINS, {"userType": "subadmin", "permissions": ["orders"]}, "admin.show_dashboard", "Only admins"),
])
def test_each_refusal_says_why_and_where_to_go(rule, user, endpoint, words):
    refusal = not_yet(rule, user)
    assert refusal.next_endpoint == endpoint and refusal.next_label
    assert words in refusal.reason
