"""Slowing down password guessing without locking the owner out.

The rule (issue 11, "anyone can lock a user out"): a refusal by account alone let anyone lock a
user out (20 failures an hour from anywhere, then even the right password got 429). Instead:
- each address is limited per account it tries (the view's rate limit keyed by email and address),
  so one attacker slows down only themselves;
- failures per account are counted from everywhere; past ACCOUNT_FAILURES in WINDOW_S the account
  is "under attack": sign-in to it is accepted only from a browser that signed in to it before or
  that opened the unlock link mailed to its owner (at most one mail per window);
- unknown emails are counted and answered exactly like real ones (nothing is mailed), so the
  throttle says nothing about which accounts exist.
Counters live in Redis and expire (no lasting lockout); the browser's proof is a signed cookie
the view keeps (`trusted_cookie`), holding digests of the accounts, never the addresses.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.data import users
from app.data.mongo import get_db
from app.domain.accounts.service import link
from app.domain.platform import audit, notifications
from app.extensions import redis_client

ACCOUNT_FAILURES, WINDOW_S = 20, 3600
TRUSTED_COOKIE, TRUSTED_DAYS, TRUSTED_MAX = "signin_trust", 90, 8
UNDER_ATTACK = ("Too many failed sign-ins for this account. If it is yours, we mailed it a link that lets you "
                "sign in from this browser; your password stays the same.")


def digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _failures_key(email: str) -> str:
    return f"login-failures:{digest(email)}"


def record_failure(email: str) -> None:
    store = redis_client.get()
    key = _failures_key(email)
    if store.incr(key) == 1:
        store.expire(key, WINDOW_S)


def under_attack(email: str, trusted: set[str]) -> bool:
    """True when the account has had too many failures and this browser has not proven it is the owner's."""
    if digest(email) in trusted:
        return False
    return int(redis_client.get().get(_failures_key(email)) or 0) >= ACCOUNT_FAILURES


def send_unlock(email: str, ip: str) -> None:
    """Mail the account's owner a link that trusts their browser for this account (once per window)."""
    user = users.by_email(get_db(), email)
    if user is None or not redis_client.get().set(f"login-unlock-mailed:{digest(email)}", "1", nx=True, ex=WINDOW_S):
        return
    token = _serializer("unlock").dumps(digest(email))
    notifications.send_email(user["email"], "Sign in to Libertum from your browser", "unlock_sign_in",
                             {"name": user["name"], "link": link("/auth/unlock/" + token)}, user["_id"])
    audit.record("login.unlock_sent", subject=user, ip=ip)


def read_unlock(token: str) -> str | None:
    """The account digest an unlock link is for, or None when it is forged or older than the window."""
    try:
        found = _serializer("unlock").loads(token, max_age=WINDOW_S)
    except BadSignature:
        return None
    return found if isinstance(found, str) else None


def trusted_cookie(current: set[str], account_digest: str) -> str:
    """The cookie value trusting `account_digest` on top of what this browser held (newest kept)."""
    digests = [account_digest, *sorted(current - {account_digest})][:TRUSTED_MAX]
    return _serializer("trust").dumps(digests)


def read_trusted(value: str | None) -> set[str]:
    if not value or len(value) > 4096:
        return set()
    try:
        digests = _serializer("trust").loads(value, max_age=TRUSTED_DAYS * 86400)
    except BadSignature:
        return set()
    return {d for d in digests if isinstance(d, str)} if isinstance(digests, list) else set()


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"login-guard:{purpose}")
