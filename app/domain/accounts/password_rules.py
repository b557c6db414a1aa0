"""Password rules (NIST SP 800-63B style) and the argon2id hasher. Pure: no server needed.

Rules: at least 12 characters, at most 128, no composition rules, not one of the common
passwords shipped in data/, not the account's own email or name; none of the last five
passwords of the account again (checked by the caller against the Password collection).
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
HISTORY_SIZE = 5
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"

# argon2id at OWASP's recommended setting (19 MiB, 2 passes, 1 lane): about 18 ms a check on this
# 2-core machine when idle, so a sign-in stays under 300 ms with several at once. The parameters
# travel inside each hash, and a sign-in rehashes an older hash with the current ones.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why `password` is refused (empty list: acceptable)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters.")
    elif len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.strip().lower()
    if lowered in common_passwords():
        found.append("This password is among the most common ones; choose another.")
    personal = {email.strip().lower(), email.split("@")[0].strip().lower(), name.strip().lower()} - {""}
    if lowered in personal:
        found.append("Do not use your email or your name as the password.")
    return found


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing or malformed hash never matches."""
    if not password_hash:
        # Same work as a real check, so timing does not tell whether the account exists.
        HASHER.hash(password)
        return False
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


def reused(password: str, history: list[str]) -> bool:
    """True when `password` matches one of the last HISTORY_SIZE hashes."""
    return any(verify(old, password) for old in history[-HISTORY_SIZE:])


def remember(history: list[str], new_hash: str) -> list[str]:
    """The history after a change: the new hash appended, only the last HISTORY_SIZE kept."""
    return [*history, new_hash][-HISTORY_SIZE:]
