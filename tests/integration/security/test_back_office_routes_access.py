"""Issue 18 part 2's back-office routes (bank statements, order search, the user file, KYC revocation, offering
assignment), each for every kind of visitor: only staff holding the route's permission (and admins) get past the
access layer; the rest are sent to sign in or refused with 403, and nobody learns what exists.
The whole url map is also swept by tests/integration/accounts/test_access_matrix.py."""

from __future__ import annotations

import io

import pytest
from bson import ObjectId

from app.domain.accounts.permissions import PERMISSIONS
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, post, signed_in_client

ROUTES = [  # (method, path with {user} / {offering} / {id}, the permission it needs)
    ("GET", "/admin/orders/statements", "orders"),
    ("POST", "/admin/orders/statements", "orders"),
    ("GET", "/admin/orders/statements/{id}", "orders"),
    ("POST", "/admin/orders/statements/entries/{id}/decision", "orders"),
    ("GET", "/admin/orders/search?reference=LIB", "orders"),
    ("GET", "/admin/users/{user}/file", "users"),
    ("POST", "/admin/users/{user}/kyc/revoke", "kyc"),
    ("POST", "/admin/offerings/{offering}/assign", "offerings"),
    ("GET", "/admin/offerings/?mine=transfer_agent", "offerings"),
]


@pytest.fixture
def targets(app, db):
    user = make_user("investor")
    db.users.update_one({"_id": user["_id"]}, {"$set": {"kycStatus": "approved", "isKyc": True}})
    offering = list_offering(db, offering_doc(status="submitted"))
    return {"user": str(user["_id"]), "offering": str(offering["_id"]), "id": "0" * 32}


@pytest.mark.parametrize(("method", "path", "permission"), ROUTES)
def test_only_staff_with_the_permission_pass(app, db, targets, method, path, permission):
    url = path.format(**targets)
    people = {"investor": make_user("investor"), "issuer": make_user("issuer"),
              "without": make_user("subadmin", permissions=[p for p in PERMISSIONS if p != permission]),
              "with": make_user("subadmin", permissions=[permission]), "admin": make_user("admin")}
    anonymous = app.test_client()
    answer = anonymous.get(url) if method == "GET" else anonymous.post(url)
    assert answer.status_code in (302, 400), url  # sign in first (a POST without its CSRF token stops earlier)
    for name, user in people.items():
        client = signed_in_client(app, user)
        answer = client.get(url) if method == "GET" else post(
            client, url, {"statement": (io.BytesIO(b""), "empty.csv")} if "statements" in url else {},
            content_type="multipart/form-data" if "statements" in url else None)
        allowed = name in ("with", "admin")
        if allowed:
            assert answer.status_code in (200, 303, 404, 422), (url, name, answer.status_code)
        else:
            assert answer.status_code == 403, (url, name, answer.status_code)
            assert targets["user"] not in answer.text
    assert db.users.find_one({"_id": ObjectId(targets["user"])})["kycStatus"] == "approved"  # no reason given
