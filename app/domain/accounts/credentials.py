"""Passwords in use: sign-in checks, change, reset by mailed link, and the last-five history.

A changed or reset password ends the account's other sessions at once (the caller's own
session, when there is one, is kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from app.data import passwords, user_tokens, users
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts import login_guard
from app.domain.accounts import password_rules as password_policy
from app.domain.accounts.service import RESET_PASSWORD, FieldErrors, consume_token, issue_token, link, peek_token
from app.domain.platform import audit, notifications
from app.sessions import end_user_sessions

GENERIC_REFUSAL = "The email or password is not right."


class LoginRefused(errors.Refused):
    """Sign-in refused; the message never says whether the account exists."""


@dataclass(frozen=True)
class LoginResult:
    user: dict
    needs_second_factor: bool


def authenticate(email: str, password: str, ip: str) -> LoginResult:
    """Check email and password. With 2FA on, the sign-in completes only after `twofactor.complete_login`."""
    user = users.by_email(get_db(), email)
    # verify() runs for an unknown email too (against no hash it does the same hashing work): a sign-in
    # takes as long for an address without an account as for one with it, so timing does not tell
    if not password_policy.verify(user.get("password") if user else None, password) or user is None:
        audit.record("login.failed", subject=user, ip=ip, details={"email": email[:254], "reason": "credentials"})
        login_guard.record_failure(email)
        raise LoginRefused(GENERIC_REFUSAL)
    if not user.get("isActive", True):
        audit.record("login.failed", subject=user, ip=ip, details={"reason": "deactivated"})
        raise LoginRefused("This account is deactivated. Contact support to reactivate it.")
    if password_policy.needs_rehash(user["password"]):
        users.set_fields_locked(get_db(), user["_id"], {"password": password_policy.hash_password(password)})
    if user.get("is2FAActive"):
        return LoginResult(user, needs_second_factor=True)
    audit.record("login.ok", actor=user, ip=ip, details={"secondFactor": None})
    return LoginResult(user, needs_second_factor=False)


def _check_new_password(user: dict, new_password: str, field: str = "new_password") -> str:
    problems = password_policy.problems(new_password, email=user["email"], name=user.get("name", ""))
    if problems:
        raise FieldErrors({field: " ".join(problems)})
    history = passwords.history(get_db(), user["_id"])
    if password_policy.reused(new_password, history):
        raise FieldErrors({field: f"Choose a password you have not used for your last "
                                  f"{password_policy.HISTORY_SIZE} passwords."})
    return password_policy.hash_password(new_password)


def _store_password(user: dict, new_hash: str, **extra) -> None:
    history = passwords.history(get_db(), user["_id"])
    users.set_fields_locked(get_db(), user["_id"], {"password": new_hash, **extra})
    passwords.replace_history(get_db(), user["_id"], password_policy.remember(history, new_hash))


def change_password(user: dict, current_password: str, new_password: str, *, keep_session: str | None,
                    ip: str) -> int:
    """Change the password after checking the current one; returns how many other sessions ended."""
    if not password_policy.verify(user.get("password"), current_password):
        raise FieldErrors({"current_password": "This is not your current password."})
    _store_password(user, _check_new_password(user, new_password))
    user_tokens.retire_unused(get_db(), user["_id"], RESET_PASSWORD)  # a new password ends every reset link
    ended = end_user_sessions(current_app.config, str(user["_id"]), keep=keep_session)
    audit.record("password.changed", actor=user, ip=ip, details={"sessionsEnded": ended})
    return ended


def request_reset(email: str, ip: str) -> None:
    """Mail a reset link when the account exists and is active; the answer is the same either way."""
    user = users.by_email(get_db(), email)
    if user is None or not user.get("isActive", True):
        return
    send_reset_link(user, "Reset your Libertum password",
                    "Someone (hopefully you) asked to reset the password of your Libertum account.")
    audit.record("password.reset_requested", subject=user, ip=ip)


def send_reset_link(user: dict, subject: str, reason: str, valid_hours: float = 0.5) -> None:
    """Mail a single-use link to choose a password: a reset (30 minutes) or a new staff account's invitation."""
    token = issue_token(user, RESET_PASSWORD, timedelta(hours=valid_hours))
    validity = f"{valid_hours:g} hours" if valid_hours >= 1 else f"{valid_hours * 60:g} minutes"
    notifications.send_email(user["email"], subject, "password_link",
                             {"name": user["name"], "reason": reason, "validity": validity,
                              "link": link("/auth/reset/" + token)}, user["_id"])


def check_reset_link(token: str) -> dict:
    """The account a reset link is for, or TokenRefused (unknown, expired, already used)."""
    return peek_token(token, RESET_PASSWORD)


def reset_password(token: str, new_password: str, ip: str) -> dict:
    """Set a new password from a reset link; every session of the account ends."""
    record = check_reset_link(token)
    user = users.by_id(get_db(), record["userId"])
    new_hash = _check_new_password(user, new_password, field="password")
    consume_token(token, RESET_PASSWORD)
    user_tokens.retire_unused(get_db(), user["_id"], RESET_PASSWORD)  # using one reset link ends the others
    _store_password(user, new_hash, isEmailVerify=True)  # the link proved the mailbox is theirs
    ended = end_user_sessions(current_app.config, str(user["_id"]))
    audit.record("password.reset", actor=user, ip=ip, details={"sessionsEnded": ended})
    return user
