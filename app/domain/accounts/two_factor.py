"""TOTP two-factor authentication (RFC 6238 via pyotp) with one-time recovery codes.

The secret is encrypted at rest with Fernet (`DATA_ENCRYPTION_KEY`). A code is accepted for
the current 30-second step and one step either side (clock drift), and each step only once
per account: the last accepted step is stored with a compare-and-set, so a replayed code is
refused even within its window. Recovery codes are stored as SHA-256 (they carry 80 random
bits) and removed when used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import time

import pyotp
import qrcode
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from qrcode.image.svg import SvgPathImage

from app import locks
from app.data import users
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts import password_rules as password_policy
from app.domain.accounts.service import FieldErrors, user_by_id
from app.domain.platform import audit, numerals

ISSUER_NAME = "Libertum"
RECOVERY_CODES = 10
STEP_S = 30


class SecondFactorRefused(errors.Refused):
    """The code was wrong, reused or the sign-in attempt is no longer valid."""


def _fernet() -> Fernet:
    return Fernet(current_app.config["DATA_ENCRYPTION_KEY"].encode())


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise RuntimeError("a TOTP secret does not decrypt with DATA_ENCRYPTION_KEY (was the key changed?)") from None


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code equals `code` (current step +-1), or None. Pure."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and numerals.is_digits(code)):  # ASCII digits only (numerals.py)
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_S)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_S), code):
            return step
    return None


def recovery_digest(code: str) -> str:
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalized.encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten codes of 16 base32 characters (80 bits), shown once as xxxx-xxxx-xxxx-xxxx."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    return codes


def qr_data_uri(uri: str) -> str:
    """The provisioning URI as an SVG QR code in a data: URI (the CSP allows data: images, no inline script)."""
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=SvgPathImage, box_size=8, border=2).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def start_setup(user: dict) -> dict:
    """A new pending secret (not active until confirmed); returns what the page shows."""
    if user.get("is2FAActive"):
        raise FieldErrors({"code": "Two-factor authentication is already on."})
    secret = pyotp.random_base32()
    users.set_fields_locked(get_db(), user["_id"], {"twoFAPendingSecret": seal(secret)})
    uri = pyotp.TOTP(secret).provisioning_uri(name=user["email"], issuer_name=ISSUER_NAME)
    return {"secret": secret, "uri": uri, "qr": qr_data_uri(uri)}


def pending_setup(user: dict) -> dict | None:
    """The setup in progress (to show the QR code again after a wrong confirmation code)."""
    sealed = user.get("twoFAPendingSecret")
    if not sealed or user.get("is2FAActive"):
        return None
    secret = unseal(sealed)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user["email"], issuer_name=ISSUER_NAME)
    return {"secret": secret, "uri": uri, "qr": qr_data_uri(uri)}


def enable(user: dict, code: str, ip: str) -> list[str]:
    """Turn 2FA on once `code` proves the authenticator holds the pending secret; returns the recovery codes."""
    setup = pending_setup(user)
    if setup is None:
        raise FieldErrors({"code": "Start the set-up again: no set-up is in progress."})
    step = matching_step(setup["secret"], code)
    if step is None:
        raise FieldErrors({"code": "This code is not right. Check the time on your phone and try again."})
    codes = new_recovery_codes()
    users.set_fields_locked(get_db(), user["_id"], {
        "is2FAActive": True, "twoFASecret": user["twoFAPendingSecret"], "twoFAPendingSecret": None,
        "twoFALastStep": step, "twoFARecoveryCodes": [recovery_digest(c) for c in codes]})
    audit.record("2fa.enabled", actor=user, ip=ip)
    return codes


def _check_code(user: dict, code: str) -> str | None:
    """"totp" or "recovery" when `code` is a valid unused code of `user`, else None (a use is recorded).

    Under `locks.user`, or two sign-ins with the same code could both pass the "not used yet"
    condition (app/locks.py)."""
    step = matching_step(unseal(user["twoFASecret"]), code)
    with locks.user(user["_id"]):
        if step is not None:
            if not users.use_totp_step(get_db(), user["_id"], step):
                raise SecondFactorRefused("This code was already used. Wait for the next code and try again.")
            return "totp"
        if users.consume_recovery_code(get_db(), user["_id"], recovery_digest(code)):
            return "recovery"
    return None


def complete_login(user_id: str, code: str, ip: str) -> dict:
    """Second step of sign-in: a current authenticator code or an unused recovery code."""
    user = user_by_id(user_id)
    if user is None or not user.get("isActive", True) or user.get("isDeleted") or not user.get("is2FAActive"):
        raise SecondFactorRefused("This sign-in is no longer valid. Please sign in again.")
    try:
        used = _check_code(user, code)
    except SecondFactorRefused:
        audit.record("login.failed", subject=user, ip=ip, details={"reason": "second factor reused"})
        raise
    if used is None:
        audit.record("login.failed", subject=user, ip=ip, details={"reason": "second factor"})
        raise SecondFactorRefused("This code is not right. Enter the current code from your authenticator app.")
    if used == "recovery":
        audit.record("2fa.recovery_used", actor=user, ip=ip)
    audit.record("login.ok", actor=user, ip=ip, details={"secondFactor": used})
    return user


def disable(user: dict, password: str, code: str, ip: str) -> None:
    """Turn 2FA off after re-authentication: the password and a current or recovery code."""
    errors = {}
    if not password_policy.verify(user.get("password"), password):
        errors["password"] = "This is not your password."  # noqa: S105 (a message, not a secret)
    elif not user.get("is2FAActive"):
        errors["code"] = "Two-factor authentication is already off."
    else:
        try:
            if _check_code(user, code) is None:
                errors["code"] = "This code is not right."
        except SecondFactorRefused as refusal:
            errors["code"] = str(refusal)
    if errors:
        raise FieldErrors(errors)
    users.set_fields_locked(get_db(), user["_id"], {"is2FAActive": False, "twoFASecret": None,
                                                    "twoFARecoveryCodes": [], "twoFAPendingSecret": None})
    audit.record("2fa.disabled", actor=user, ip=ip)


def confirm_sensitive_action(user: dict, code: str) -> bool:
    """A movement out of a platform-held wallet: True when `code` is a valid unused code of the user's second
    factor (spent now, like a sign-in's). False when it is wrong or 2FA is off; a reused code raises
    SecondFactorRefused."""
    if not user.get("is2FAActive") or not user.get("twoFASecret"):
        return False
    return _check_code(user, code) is not None
