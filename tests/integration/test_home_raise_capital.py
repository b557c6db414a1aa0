"""The home page offers raising capital: visitors go to sign-up with the goal chosen, investors to their issuer path;
issuers and staff, who have no use for it, do not see it."""

from __future__ import annotations

import re

from bson import ObjectId

from app.data import users

CALL = re.compile(r'<section[^>]*id="raise-capital".*?href="([^"]+)"[^>]*>Raise capital</a>', re.S)


def raise_link(client) -> str | None:
    response = client.get("/")
    assert response.status_code == 200
    found = CALL.search(response.text)
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_visitor_is_sent_to_sign_up_with_the_raise_goal_chosen(client):
    link = raise_link(client)
    assert link == "/auth/signup?goal=raise"
    signup = client.get(link)
    assert signup.status_code == 200
    assert re.search(r'value="raise"[^>]*checked|checked[^>]*value="raise"', signup.text)


def test_a_signed_in_investor_goes_to_the_issuer_path(auth):
    investor = auth("investor")
    assert raise_link(investor) == "/auth/raise-capital"
    path = investor.get("/auth/raise-capital")
    assert path.status_code == 200 and "Apply as an issuer" in path.text


def test_issuers_and_staff_are_not_offered_it(app, db, auth):
    investor = auth("investor")
    users.set_fields(db, ObjectId(investor.user["_id"]), {"isIssuer": True, "issuerStatus": "approved"})
    assert raise_link(investor) is None
    assert raise_link(auth("subadmin", permissions=["kyc"])) is None
