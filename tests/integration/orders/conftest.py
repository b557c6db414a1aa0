"""Order tests: a listed offering, a signed-in approved investor and a back-office client (approvals and
order forms are in tests/fixtures/orders.py)."""

from __future__ import annotations

import pytest

from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.orders import approve


@pytest.fixture
def offering(db):
    """10,000 tokens at $100.00, minimum $1,000 (10 tokens), at most 2,000 tokens per investor, 1.5 % fee."""
    return list_offering(db, offering_doc(fee=150))


@pytest.fixture
def investor(app, db, offering):
    """A signed-in, approved investor: the user document with `client` and `wallet`."""
    user = make_user("investor")
    user["wallet"] = approve(db, user, offering)
    user["client"] = signed_in_client(app, user)
    return user


@pytest.fixture
def admin_client(auth):
    return auth("subadmin", permissions=["orders"])
