"""Bank statement tests: a listed offering ($100 a token, 1.5 % fee), fiat orders placed through placement, and a
back-office client holding only the orders permission."""

from __future__ import annotations

import io

import pytest

from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import post
from tests.fixtures.orders import order_form, quick_investor


@pytest.fixture
def offering(db):
    return list_offering(db, offering_doc(fee=150))


@pytest.fixture
def place(app, db, offering):
    """place(tokens) -> a fiat order of a new investor: 20 tokens are due $2,030.00 (fee included)."""
    def placed(tokens: int = 20, method: str = "fiat") -> dict:
        investor = quick_investor(db, offering)
        return ordering.place(app.config, investor, str(offering["_id"]), order_form(tokens, method=method))
    return placed


@pytest.fixture
def staff(auth):
    return auth("subadmin", permissions=["orders"])


def upload(client, data: bytes, name: str = "statement.xml"):
    return post(client, "/admin/orders/statements", {"statement": (io.BytesIO(data), name)},
                content_type="multipart/form-data")
