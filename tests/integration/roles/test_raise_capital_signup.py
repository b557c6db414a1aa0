"""Sign-up offers invest or raise capital; someone who came to raise capital is led into the issuer path."""

from __future__ import annotations

import re

from app.domain.accounts import service as accounts
from tests.fixtures.accounts import post

SIGNUP = {"legal_name": "Rita Raiser", "email": "rita@example.com", "country_code": "+44", "mobile": "7700900555",
          "password": "harbour building capital"}


def _confirm(client, db, email: str) -> None:
    user = db.users.find_one({"email": email})
    token = accounts.issue_token(user, accounts.VERIFY_EMAIL)  # the mailed link's token (mail: test_signup_and_mail)
    assert post(client, f"/auth/verify-email/{token}").status_code == 303


def _sign_in(client, email: str):
    return post(client, "/auth/login", {"email": email, "password": SIGNUP["password"]})


def test_the_sign_up_page_offers_both_and_a_link_can_choose_raise_capital(client):
    page = client.get("/auth/signup").text
    assert "Invest in property" in page and "Raise capital" in page
    chosen = client.get("/auth/signup?goal=raise").text
    assert re.search(r'value="raise"[^>]*checked|checked[^>]*value="raise"', chosen)


def test_a_raise_capital_sign_up_lands_on_the_issuer_path(client, db):
    answer = post(client, "/auth/signup", {**SIGNUP, "goal": "raise"})
    assert answer.status_code == 303
    assert "We then take you through raising capital" in client.get("/auth/login").text
    assert db.users.find_one({"email": "rita@example.com"})["signupGoal"] == "raise"
    assert db.users.find_one({"email": "rita@example.com"})["userType"] == "investor"  # an issuer once approved
    _confirm(client, db, "rita@example.com")
    signed_in = _sign_in(client, "rita@example.com")
    assert signed_in.headers["Location"] == "/auth/raise-capital"
    path = client.get("/auth/raise-capital").text
    current = re.search(r'aria-current="step".*?</li>', path, re.S).group(0)
    assert "Verify your identity" in current and 'href="/onboarding/kyc"' in current
    assert "Apply as an issuer" in path and "Create your first offering" in path


def test_an_invest_sign_up_lands_on_the_account_page(client, db):
    post(client, "/auth/signup", {**SIGNUP, "email": "ivan@example.com", "mobile": "7700900556", "goal": "invest"})
    _confirm(client, db, "ivan@example.com")
    assert _sign_in(client, "ivan@example.com").headers["Location"] == "/auth/account"


def test_an_unknown_choice_is_refused_next_to_the_field(client, db):
    answer = post(client, "/auth/signup", {**SIGNUP, "goal": "speculate"})
    assert answer.status_code == 422 and "Choose invest or raise capital." in answer.text
    assert db.users.find_one({"email": "rita@example.com"}) is None
