"""What each stage says comes next; for raise-capital people it follows the issuer path's own steps."""

import pytest

from app.domain.onboarding import issuer_path
from app.domain.onboarding import what_next as w

INVESTOR = {"isEmailVerify": True, "signupGoal": "invest"}
RAISER = {"isEmailVerify": True, "signupGoal": "raise"}


@pytest.mark.parametrize("status", ["notStarted", "inProgress", "submitted", "pending", "rejected",
                                    "changesRequested", "approved", "revoked", "expired"])
@pytest.mark.parametrize("base", [INVESTOR, RAISER])
def test_every_status_says_something_and_links_only_real_pages(base, status):
    user = {**base, "kycStatus": status, "isKyc": status == "approved"}
    said = w.kyc(user)
    assert said.text.strip() and (said.action is None) == (said.action_label is None)
    assert said.action != "onboarding.show_onboarding"  # never a link to the page it is shown on


def test_the_check_and_the_mail_are_said_before_and_after_submitting():
    assert w.KYC_CHECK in w.before_kyc_submit(INVESTOR).text
    assert w.KYC_CHECK in w.kyc({**INVESTOR, "kycStatus": "submitted"}).text


def test_raise_capital_people_hear_of_the_issuer_application_investors_of_a_wallet():
    assert "apply as an issuer" in w.before_kyc_submit(RAISER).text
    assert "connect a wallet" in w.before_kyc_submit(INVESTOR).text
    assert w.kyc({**RAISER, "kycStatus": "pending"}).action == "auth.show_raise_capital"


def test_after_approval_the_raise_capital_next_step_is_the_issuer_paths_current_one():
    user = {**RAISER, "kycStatus": "approved", "isKyc": True}
    current = next(s for s in issuer_path.steps(user) if s.state == issuer_path.CURRENT)
    said = w.kyc(user)
    assert (said.text, said.action) == (current.text, current.action) == (said.text, "onboarding.apply_issuer")


def test_a_final_rejection_does_not_invite_a_resubmission():
    said = w.kyc({**INVESTOR, "kycStatus": "rejected", "kycFinalRejection": True})
    assert "cannot be submitted again" in said.text and said.action is None


def test_the_issuer_review_step_is_said_after_sending_with_the_path_linked():
    said = w.issuer({**RAISER, "kycStatus": "approved", "isKyc": True, "issuerStatus": "pending"})
    assert said.text.startswith("We check your company") and said.action == "auth.show_raise_capital"
