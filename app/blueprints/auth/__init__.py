"""Auth area: sign-up, sign-in (with 2FA), sign-out, email and mobile verification, passwords, 2FA set-up."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def email_key() -> str:
    """Rate-limit key per account tried, so one address cannot be hammered from many places."""
    return "email:" + str(request.form.get("email", "")).strip().lower()[:254]


def safe_next(default_endpoint: str = "auth.show_account") -> str:
    """Where to go after signing in: only a path on this site (no open redirect)."""
    target = str(request.args.get("next", ""))
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(default_endpoint)


def back_to(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def show_errors(form, error) -> None:
    """Put a service's FieldErrors next to the form's fields."""
    for name, message in error.errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, message]
