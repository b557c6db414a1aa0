"""Account tests: an investor to act on (users, sign-in and browser-like clients are in tests/fixtures/accounts.py)."""

from __future__ import annotations

import pytest

from tests.fixtures.accounts import make_user


@pytest.fixture
def investor(app):
    return make_user("investor")
