"""Signed-in state for the web: Flask-Login's user (`Account`), its loader, and session start and end.

The loader reads the account on every request, so a deactivated or deleted account stops
working at its next request even if a session of it survived somewhere.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import UserMixin, login_user, logout_user

from app.domain.accounts.service import user_by_id
from app.extensions import login_manager


class Account(UserMixin):
    """The signed-in user; `doc` is the `users` document the domain services take."""

    def __init__(self, doc: dict):
        self.doc = doc

    def get_id(self) -> str:
        return str(self.doc["_id"])

    @property
    def is_active(self) -> bool:
        return bool(self.doc.get("isActive", True)) and not self.doc.get("isDeleted", False)


def load_account(user_id: str) -> Account | None:
    doc = user_by_id(user_id)
    if doc is None:
        return None
    account = Account(doc)
    return account if account.is_active else None


def start_session(user: dict) -> None:
    """Sign in with a brand-new session id (no fixation); anything a visitor had in the session is dropped."""
    session.clear()
    session.regenerate()
    login_user(Account(user))


def end_session() -> None:
    """Sign out: the server-side session is deleted, so the old cookie is worthless (no replay); what the
    page says next (a flash) lives in a fresh anonymous session."""
    logout_user()
    session.clear()
    session.regenerate()


def current_session_id() -> str:
    return session.sid


def client_ip() -> str:
    return request.remote_addr or "-"


def register_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_account)
    login_manager.login_view = "auth.show_login"
    login_manager.login_message = "Please sign in to open this page."
    # The session id is renewed at sign-in and kept server-side; binding it to IP and user agent
    # ("strong") would sign people out when a mobile network changes their address.
    login_manager.session_protection = None
