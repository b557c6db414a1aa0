"""Helpers for the account tests: users made through the domain service, sign-in through the real pages."""

from __future__ import annotations

import itertools
import re

import pytest
from flask.testing import FlaskClient
from rq import Queue, SimpleWorker

from app.domain.accounts import service as accounts
from app.extensions import redis_client

PASSWORD = "correct horse battery staple"
_COUNTER = itertools.count(1)
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class BrowserClient(FlaskClient):
    """Each request in its own app context, as on a real server. The `app` fixture keeps one app
    context for the whole test, and Flask-Login and Flask-WTF cache per-request state in its `g`."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def browser_like_clients(app):
    app.test_client_class = BrowserClient


@pytest.fixture
def client(app):
    return app.test_client()


def csrf(client, path: str = "/auth/login") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    return _TOKEN.search(client.get(path).text).group(1)


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a form with the session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf(client), **(data or {})}, **kwargs)


def make_user(user_type: str = "investor", *, permissions: list[str] | None = None, password: str = PASSWORD,
              email: str | None = None, **extra) -> dict:
    n = next(_COUNTER)
    fields = {"email": email or f"user{n}@example.com", "country_code": "+44", "mobile": f"7700{n:06d}",
              "legal_name": f"Test User {n}", "password": password, "user_type": user_type,
              "permissions": permissions or [], **extra}
    user = accounts.create_account(fields, event="signup" if user_type in ("investor", "issuer") else "role.created")
    user["plain_password"] = password
    return user


def login(client, user: dict, password: str | None = None):
    return post(client, "/auth/login", {"email": user["email"], "password": password or user["plain_password"]})


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def run_mail_jobs() -> int:
    """Deliver what the `mail` queue holds, in this process, against the real Redis, SMTP and SMS sinks."""
    queue = Queue("mail", connection=redis_client.get())
    count = queue.count
    SimpleWorker([queue], connection=redis_client.get()).work(burst=True)
    return count


@pytest.fixture
def investor(app):
    return make_user("investor")
