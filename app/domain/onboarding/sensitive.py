"""Sensitive identity numbers (nationalIdNumber, socialSecurityNumber): encrypted at rest, masked on pages.

Why Fernet with DATA_ENCRYPTION_KEY: the same key and scheme already protect TOTP secrets,
so operators rotate one key. Stored values carry an `enc:v1:` prefix so a reader can tell
ciphertext from a value written before encryption, and never shows ciphertext as data.
Only the owner and reviewers with the `kyc` permission see the clear value; everyone
else, and every list, sees the masked form.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

PREFIX = "enc:v1:"
SENSITIVE_FIELDS = ("nationalIdNumber", "socialSecurityNumber")


def encrypt(key: str, value: str) -> str:
    if not value:
        return ""
    return PREFIX + Fernet(key.encode()).encrypt(value.encode()).decode()


def decrypt(key: str, stored: str | None) -> str:
    """The clear value; raises ValueError when the ciphertext does not open with `key`."""
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return Fernet(key.encode()).decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise ValueError("a sensitive field does not decrypt with DATA_ENCRYPTION_KEY (was the key changed?)") from None


def mask(value: str) -> str:
    """All but the last (up to) four characters hidden; short values are hidden entirely."""
    value = value or ""
    if not value:
        return ""
    shown = value[-4:] if len(value) > 6 else ""
    return "•" * max(len(value) - len(shown), 4) + shown


def _is_ciphertext(key: str, value: str) -> bool:
    """Already encrypted by us (so not encrypted twice). A typed value that merely starts with the prefix
    ("enc:v1:x") is not: stored as is it would fail to decrypt and every page showing it would answer 500."""
    try:
        return value.startswith(PREFIX) and decrypt(key, value) is not None
    except ValueError:
        return False


def encrypt_fields(key: str, values: dict) -> dict:
    """A copy of `values` with each sensitive field (at any depth, lists included) encrypted once."""
    def one(k, v):
        if k in SENSITIVE_FIELDS and isinstance(v, str):
            return v if _is_ciphertext(key, v) else encrypt(key, v)
        if isinstance(v, dict):
            return encrypt_fields(key, v)
        if isinstance(v, list):
            return [encrypt_fields(key, x) if isinstance(x, dict) else x for x in v]
        return v

    return {k: one(k, v) for k, v in values.items()}


def reveal_fields(key: str, values: dict, *, clear: bool) -> dict:
    """A copy with sensitive fields decrypted (`clear`) or masked, at any depth, lists included."""
    def one(k, v):
        if k in SENSITIVE_FIELDS and isinstance(v, str):
            plain = decrypt(key, v)
            return plain if clear else mask(plain)
        if isinstance(v, dict):
            return reveal_fields(key, v, clear=clear)
        if isinstance(v, list):
            return [reveal_fields(key, x, clear=clear) if isinstance(x, dict) else x for x in v]
        return v

    return {k: one(k, v) for k, v in values.items()}
