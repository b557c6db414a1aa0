"""Held-wallet tests: forms posted with the session's CSRF token, and an investor verified without a wallet."""

from __future__ import annotations

from tests.fixtures.accounts import csrf
from tests.fixtures.chain import eligible_investor


def form(client, path: str, data: dict | None = None):
    """POST a form with the session's CSRF token (read from the account page, as a browser would)."""
    return client.post(path, data={"csrf_token": csrf(client, "/auth/account"), **(data or {})})


def walletless_investor(**extra) -> dict:
    """A KYC-approved investor resident in GB who has no browser wallet."""
    return eligible_investor(wallet=False, **extra)
