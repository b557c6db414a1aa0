"""Whitelisting tests: a live offering with its token suite on the session's anvil (tests/fixtures/chain.py),
the e-signature sandbox, this test's app over real HTTP, and forms posted with the session's CSRF token."""

from __future__ import annotations

import pytest
import requests

from tests.fixtures.accounts import csrf
from tests.fixtures.chain import live_offering


def form(client, path: str, data: dict | None = None):
    """POST a form with the session's CSRF token (read from the account page, as a browser would)."""
    return client.post(path, data={"csrf_token": csrf(client, "/auth/account"), **(data or {})})


@pytest.fixture
def offering(app, platform):
    return live_offering(app, platform)


@pytest.fixture
def esign_sandbox(app, mail_sandbox, platform_http) -> str:
    """The e-signature sandbox (mounted in the sandbox process) delivering to this test's platform; its base URL."""
    base = app.config["ESIGN_API_URL"]
    requests.post(f"{base}/settings", data={"webhookUrl": f"{platform_http}/webhooks/esign/docusign"},
                  timeout=5).raise_for_status()
    return base
