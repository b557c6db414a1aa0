"""The header offers each person exactly the pages they may open, and every link it shows answers 200.

Rendered by the real app against the real database, for a visitor, an investor, an investor whose issuer
application is pending, an approved issuer, a sub-admin holding one permission and an admin. Staff also
find on the back-office home exactly the sections their permissions open.
"""

from __future__ import annotations

import re

import pytest

from app.data import users
from tests.fixtures.accounts import make_user, signed_in_client

_HEADER = re.compile(r'<header class="site-header">(.*?)</header>', re.S)
_BACK_OFFICE = re.compile(r'<nav aria-label="Back office">(.*?)</nav>', re.S)
_LINK = re.compile(r'<a (?:class="[^"]*" )?href="([^"]+)"[^>]*>([^<]+)</a>')

ROLES = {
    # role: (how to make the user, the header's links besides the brand, the account link and Sign out)
    "visitor": (None, ["Marketplace", "Sign in", "Sign up"]),
    "investor": (lambda db: make_user("investor"), ["Marketplace", "Portfolio", "Transfers", "Onboarding"]),
    "pending issuer": (lambda db: _with(db, make_user("investor"), issuerStatus="pending"),
                       ["Marketplace", "Portfolio", "Transfers", "Onboarding"]),
    "approved issuer": (lambda db: _with(db, make_user("issuer"), isIssuer=True, issuerStatus="approved"),
                        ["Marketplace", "Onboarding", "Issuer"]),
    "sub-admin (kyc)": (lambda db: make_user("subadmin", permissions=["kyc"]), ["Marketplace", "Onboarding", "Admin"]),
    "admin": (lambda db: make_user("admin"), ["Marketplace", "Onboarding", "Admin"]),
}


def _with(db, user: dict, **fields) -> dict:
    users.set_fields(db, user["_id"], fields)
    return {**user, **fields}


def header_links(html: str) -> list[tuple[str, str]]:
    return [(href, label.strip()) for href, label in _LINK.findall(_HEADER.search(html).group(1))]


@pytest.mark.parametrize("role", list(ROLES))
def test_header_shows_exactly_what_the_role_may_open_and_each_link_opens(app, db, role):
    make, expected = ROLES[role]
    user = make(db) if make else None
    client = signed_in_client(app, user) if user else app.test_client()
    home = client.get("/")
    assert home.status_code == 200
    links = header_links(home.text)
    brand, *rest = links
    assert brand == ("/", "Libertum")
    if user:
        *rest, account = rest
        assert account == ("/auth/account", user["email"])
        assert ">Sign out</button>" in _HEADER.search(home.text).group(1)
    else:
        assert "Sign out" not in home.text
    assert [label for _, label in rest] == expected
    for href, label in links:
        answer = client.get(href)
        assert answer.status_code == 200, f"{role}: {label} ({href}) answered {answer.status_code}"


def test_the_current_page_is_marked_in_the_header(app, db):
    client = signed_in_client(app, make_user("investor"))
    header = _HEADER.search(client.get("/portfolio/").text).group(1)
    assert '<a href="/portfolio/" aria-current="page">Portfolio</a>' in header
    assert header.count('aria-current="page"') == 1


@pytest.mark.parametrize("permissions, sections", [
    (["kyc"], {"KYC review"}),
    (["orders", "audit"], {"Orders", "Audit log"}),
])
def test_back_office_home_lists_only_the_sections_a_sub_admin_holds_and_each_opens(app, db, permissions, sections):
    """Every section shown opens (a section of another permission would answer 403), and each held one is shown."""
    client = signed_in_client(app, make_user("subadmin", permissions=permissions))
    links = _LINK.findall(_BACK_OFFICE.search(client.get("/admin/").text).group(1))
    shown = {label.strip() for _, label in links}
    assert sections <= shown
    assert not ({"Users", "Sub-admins", "KYC review", "Orders"} - sections) & shown  # other permissions' sections
    for href, label in links:
        assert client.get(href).status_code == 200, label
