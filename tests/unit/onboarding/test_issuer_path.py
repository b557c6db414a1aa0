"""The issuer path for someone who signed up to raise capital: one current step, the rest done or said next."""

import pytest

from app.domain.onboarding.issuer_path import CURRENT, DONE, NEXT, landing, steps


def states(user: dict) -> list[str]:
    return [step.state for step in steps(user)]


@pytest.mark.parametrize(("user", "expected", "action"), [
    ({}, [CURRENT, NEXT, NEXT, NEXT, NEXT], "auth.show_account"),
    ({"isEmailVerify": True}, [DONE, CURRENT, NEXT, NEXT, NEXT], "onboarding.show_wizard"),
    ({"isEmailVerify": True, "kycStatus": "submitted"}, [DONE, CURRENT, NEXT, NEXT, NEXT],
     "onboarding.show_onboarding"),
    ({"isEmailVerify": True, "isKyc": True}, [DONE, DONE, CURRENT, NEXT, NEXT], "onboarding.apply_issuer"),
    ({"isEmailVerify": True, "isKyc": True, "issuerStatus": "pending"}, [DONE, DONE, DONE, CURRENT, NEXT],
     "onboarding.show_onboarding"),
    ({"isEmailVerify": True, "isKyc": True, "issuerStatus": "rejected", "issuerReason": "No certificate"},
     [DONE, DONE, CURRENT, NEXT, NEXT], "onboarding.apply_issuer"),
    ({"isEmailVerify": True, "isKyc": True, "isIssuer": True, "issuerStatus": "approved"},
     [DONE, DONE, DONE, DONE, CURRENT], "issuer.show_dashboard"),
])
def test_one_step_is_current_and_links_to_where_it_is_done(user, expected, action):
    assert states(user) == expected
    [current] = [step for step in steps(user) if step.state == CURRENT]
    assert current.action == action and current.action_label


def test_every_step_says_what_happens():
    assert all(step.text for step in steps({}))


def test_a_rejection_gives_the_reviewers_reason():
    user = {"isEmailVerify": True, "isKyc": True, "issuerStatus": "rejected", "issuerReason": "No certificate"}
    assert "not approved: No certificate" in steps(user)[2].text


def test_people_who_came_to_raise_capital_land_on_the_path_until_they_are_issuers():
    assert landing({"signupGoal": "raise"}) == "auth.show_raise_capital"
    assert landing({"signupGoal": "raise", "isIssuer": True}) == "auth.show_account"
    assert landing({"signupGoal": "invest"}) == "auth.show_account"
    assert landing({}) == "auth.show_account"
