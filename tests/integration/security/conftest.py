"""Helpers for the security tests: the account tests' browser-like clients, sign-in and users."""

from __future__ import annotations

from tests.integration.accounts.conftest import browser_like_clients, client

__all__ = ["browser_like_clients", "client"]  # fixtures, registered by being imported here
