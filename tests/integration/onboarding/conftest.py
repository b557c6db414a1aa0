"""Helpers for the onboarding tests: signed-in clients, documents that pass the content checks, the RQ queues."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from flask import g

from tests.factories import PDF_BYTES as PDF  # shared by the onboarding tests
from tests.factories import png_bytes
from tests.fixtures.accounts import login, make_user

_TOKEN = re.compile(r'(?:name="csrf-token" content|name="csrf_token"[^>]*value)="([^"]+)"')


def csrf(client, path: str) -> str:
    """The session's CSRF token, read from a page's form (or meta tag) as a browser would."""
    return _TOKEN.search(client.get(path).text).group(1)


def upload(data: bytes, name: str = "scan.png") -> tuple[BytesIO, str]:
    return BytesIO(data), name


def forget_request_caches() -> None:
    """The test's app context outlives requests: drop what Flask-WTF and Flask-Login cache in it (g)."""
    g.pop("csrf_token", None)
    g.pop("_login_user", None)


def page(client, path: str):
    """GET as a fresh request would see it (the current user reloaded)."""
    forget_request_caches()
    return client.get(path)


def form_post(client, path: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, multipart when files are given.

    Flask-WTF's token cache in the long-lived test app context would hand out the token of a session
    that sign-in replaced; dropping it makes the page mint the real one.
    """
    forget_request_caches()
    return client.post(path, data={"csrf_token": csrf(client, "/onboarding/"), **(data or {})}, **kwargs)


PERSONAL = {"dob": "1990-04-01", "birthPlace": "Bristol", "nationality": "gb", "nationalIdNumber": "AB1234567",
            "identificationDocument": "passport", "documentExpiration": "2031-01-01", "occupation": "Engineer"}
ADDRESS = {"address": "1 Harbour Way", "city": "Bristol", "zipCode": "BS1 4RN", "country": "GB"}


def signed_in(client, user_type: str = "investor", **extra) -> dict:
    user = make_user(user_type, **extra)
    assert login(client, user).status_code == 303
    return user


def complete_individual(client) -> None:
    """Walk the individual path up to the review step."""
    assert form_post(client, "/onboarding/kyc/type", {"accountType": "individual"}).status_code == 303
    assert form_post(client, "/onboarding/kyc/personal", PERSONAL).status_code == 200
    assert form_post(client, "/onboarding/kyc/address", ADDRESS).status_code == 200
    response = form_post(client, "/onboarding/kyc/documents", {"frontId": upload(png_bytes()),
                                                               "backId": upload(PDF, "back.pdf")},
                         content_type="multipart/form-data")
    assert response.status_code == 200, response.text


@pytest.fixture
def investor_client(auth):
    """A client signed in as a new investor (`client.user`)."""
    return auth("investor")
