"""Auth area: sign-up, sign-in (with 2FA), sign-out, email and mobile verification, passwords, 2FA set-up."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, request, url_for

_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\\\\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def email_key() -> str:
    """Rate-limit key per account tried, so one address cannot be hammered from many places."""
    return "email:" + str(request.form.get("email", "")).strip().lower()[:254]


def email_address_key() -> str:
    """Rate-limit key per account tried and per client address: guessing from one place slows down that
    place only, so nobody can lock the owner out by failing on purpose (app/domain/accounts/login_guard.py)."""
    return email_key() + "|" + (request.remote_addr or "-")


def safe_next(default_endpoint: str = "auth.show_account") -> str:
    """Where to go after signing in: `next` when it is a path on this site, else the default page."""
    return local_path(request.args.get("next")) or url_for(default_endpoint)


def local_path(target: object) -> str | None:
    """`target` if it is a path on this site, else None: the one check for every redirect a visitor names.

    Browsers drop tab, CR and LF from a URL and read a backslash as a slash, so "/%09/evil.example"
    (decoded: slash, tab, slash) is "//evil.example", another site: such characters (any control
    character or blank) refuse the target, as does anything with a scheme or a host once parsed.
    CR and LF would also split the Location header (a 500 after the session was created)."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if _UNSAFE.search(target) or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def show_errors(form, error) -> None:
    """Put a service's FieldErrors next to the form's fields."""
    for name, message in error.errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, message]
