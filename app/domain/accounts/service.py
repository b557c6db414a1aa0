"""Accounts: sign-up, the email verification link and the mobile one-time code.

Services return plain documents and raise `FieldErrors` for what the person can fix, so the
page can show each message next to its field.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from app import locks
from app.data import passwords, user_tokens, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts import password_rules as password_policy
from app.domain.accounts.permissions import INVESTOR
from app.domain.platform import audit, notifications, text_rules
from app.extensions import redis_client

VERIFY_EMAIL, RESET_PASSWORD = "verify-email", "reset-password"
TOKEN_LIFETIMES = {VERIFY_EMAIL: timedelta(hours=48), RESET_PASSWORD: timedelta(minutes=30)}
MOBILE_CODE_TTL_S, MOBILE_CODE_ATTEMPTS = 600, 5
_COUNTRY_CODE = re.compile(r"^\+[1-9][0-9]{0,2}$")
_NATIONAL_NUMBER = re.compile(r"^[0-9]{4,14}$")


class FieldErrors(errors.Refused):
    """Input the person can correct: field name -> message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AlreadyInUse(FieldErrors):
    """The email or mobile number belongs to another account. Staff creating accounts see it; a public
    sign-up never does (the owner is told by mail instead, so the page cannot enumerate accounts)."""


class TokenRefused(errors.Refused):
    """A mailed link that cannot be used; the message says why (unknown, expired, already used)."""


def new_account(*, email: str, country_code: str, mobile: str, legal_name: str, user_type: str = INVESTOR,
                permissions: list[str] | None = None, password: str | None = None,
                signup_goal: str | None = None) -> dict:
    """The `users` document for a new account, with the password hashed (None: set later by link);
    `signup_goal` ("invest" or "raise") is what the person came for, which decides where they land."""
    document = {
        "name": legal_name.strip(), "legalFullName": legal_name.strip(), "email": email.strip().lower(),
        "countryCode": country_code, "mobile": full_mobile(country_code, mobile), "password": None,
        "isActive": True, "isDeleted": False, "isEmailVerify": False, "isMobileVerify": False,
        "is2FAActive": False, "twoFASecret": None, "isOtpActive": False, "isSocialMedia": False,
        "userType": user_type, "isKyc": False, "isIssuer": user_type == "issuer", "permissions": permissions or [],
    }
    if password is not None:
        document["password"] = password_policy.hash_password(password)
    if signup_goal:
        document["signupGoal"] = signup_goal
    return document


def full_mobile(country_code: str, mobile: str) -> str:
    """E.164 form (+447700900123): the unique `mobile` field, so the same national number in two
    countries is two numbers."""
    return country_code + re.sub(r"[\s().-]", "", mobile).lstrip("0")


def email_problem(email: str) -> str | None:
    """Why sign-in would refuse this email (the forms' rule, email_validator without a DNS lookup), or None.

    Checked here too so an account made outside the forms (the CLI's first admin) can sign in."""
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        return f"Enter a valid email address: {error}"
    return None


def _shape_problems(email: str, country_code: str, mobile: str, legal_name: str) -> dict[str, str]:
    problems = {"email": email_problem(email), "legal_name": text_rules.problem(legal_name)}
    if not _COUNTRY_CODE.match(country_code):
        problems["country_code"] = "Choose a country calling code such as +44."
    if not _NATIONAL_NUMBER.match(re.sub(r"[\s().-]", "", mobile).lstrip("0")):
        problems["mobile"] = "Enter the mobile number in digits, without the country code."
    return {field: message for field, message in problems.items() if message}


def check_new_account(*, email: str, country_code: str, mobile: str, legal_name: str,
                      password: str | None) -> None:
    """Raise FieldErrors naming every problem with a sign-up (shape checks are the form's), then
    AlreadyInUse when the details are fine but the email or mobile belongs to an account."""
    errors = _shape_problems(email, country_code, mobile, legal_name)
    if password is not None:
        problems = password_policy.problems(password, email=email, name=legal_name)
        if problems:
            errors["password"] = " ".join(problems)
    if errors:
        raise FieldErrors(errors)
    if users.exists(get_db(), "mobile", full_mobile(country_code, mobile)):
        errors["mobile"] = "An account with this mobile number already exists."
    if users.exists(get_db(), "email", email.strip().lower()):
        errors["email"] = "An account with this email already exists. Sign in or reset your password."
    if errors:
        raise AlreadyInUse(errors)


def create_account(fields: dict, *, actor: dict | None = None, ip: str | None = None,
                   event: str = "signup") -> dict:
    """Check, insert and audit a new account; the unique indexes settle a race between two sign-ups."""
    check_new_account(**{k: fields[k] for k in ("email", "country_code", "mobile", "legal_name")},
                      password=fields.get("password"))
    document = new_account(**fields)
    try:
        document["_id"] = users.insert(get_db(), document)
    except users.DuplicateUser as error:
        field = "email" if error.field == "email" else "mobile"
        raise AlreadyInUse({field: f"An account with this {field} already exists."}) from None
    if document["password"]:
        passwords.replace_history(get_db(), document["_id"], [document["password"]])
    audit.record(event, actor=actor or document, subject=document, ip=ip,
                 details={"userType": document["userType"], "permissions": document["permissions"]})
    return document


def sign_up(*, email: str, country_code: str, mobile: str, legal_name: str, password: str, ip: str,
            goal: str = "invest") -> None:
    """A new investor account whose verification link is mailed at once; FieldErrors for what the person can fix.

    An email or mobile already in use gets the same answer and about the same work as a new account
    (the password is hashed either way): the email's owner is mailed that someone tried to sign up, and
    nothing on the page or in its timing says an account exists (no account enumeration)."""
    fields = {"email": email, "country_code": country_code, "mobile": mobile, "legal_name": legal_name,
              "password": password, "signup_goal": goal}
    try:
        user = create_account(fields, ip=ip)
    except AlreadyInUse as taken:
        password_policy.hash_password(password)  # the same work a new account costs
        _tell_owner_of_signup_attempt(email.strip().lower(), sorted(taken.errors))
        audit.record("signup.refused", ip=ip, details={"reason": "in use", "fields": sorted(taken.errors)})
        return
    send_verification(user)


def _tell_owner_of_signup_attempt(email: str, fields: list[str]) -> None:
    """Mail the address that was typed: its account's owner learns of the attempt, anyone else learns nothing."""
    template = "signup_email_in_use" if "email" in fields else "signup_mobile_in_use"
    notifications.send_email(email, "Your Libertum sign-up", template,
                             {"sign_in": link("/auth/login"), "forgot": link("/auth/forgot")})


def user_by_id(user_id: str | ObjectId) -> dict | None:
    found = parse_id(user_id)
    return users.by_id(get_db(), found) if found else None


def issue_token(user: dict, purpose: str, lifetime: timedelta | None = None) -> str:
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + (lifetime or TOKEN_LIFETIMES[purpose])
    user_tokens.insert(get_db(), _digest(token), user["_id"], purpose, expires_at)
    return token


def link(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def send_verification(user: dict) -> None:
    token = issue_token(user, VERIFY_EMAIL)
    notifications.send_email(user["email"], "Confirm your email for Libertum", "verify_email",
                             {"name": user["name"], "link": link("/auth/verify-email/" + token)}, user["_id"])


def peek_token(token: str, purpose: str) -> dict:
    """The token's record if it can still be used; raises TokenRefused saying why not."""
    record = user_tokens.find(get_db(), _digest(token), purpose)
    if record is None:
        raise TokenRefused("This link is not valid. Ask for a new one.")
    if record["usedAt"] is not None:
        raise TokenRefused("This link was already used. Ask for a new one if you still need it.")
    if record["expiresAt"] < datetime.now(UTC):
        raise TokenRefused("This link has expired. Ask for a new one.")
    return record


def consume_token(token: str, purpose: str) -> dict:
    """Use a token once: the conditional update lets only one of two simultaneous clicks through.

    It runs under `locks.user_token`, or both clicks' conditional updates could pass (app/locks.py)."""
    record = peek_token(token, purpose)
    with locks.user_token(record["_id"]):
        used = user_tokens.mark_used(get_db(), record["_id"])
    if not used:
        raise TokenRefused("This link was already used. Ask for a new one if you still need it.")
    return record


def verify_email(token: str, ip: str) -> dict:
    record = consume_token(token, VERIFY_EMAIL)
    user = users.set_fields_locked(get_db(), record["userId"], {"isEmailVerify": True})
    audit.record("email.verified", actor=user, ip=ip)
    return user


def send_mobile_code(user: dict) -> None:
    """A six-digit code by SMS, valid ten minutes, five tries; a new code replaces the old one."""
    code = f"{secrets.randbelow(10**6):06d}"
    key = f"otp:mobile:{user['_id']}"
    redis_client.get().hset(key, mapping={"digest": _digest(code), "tries": 0})
    redis_client.get().expire(key, MOBILE_CODE_TTL_S)
    notifications.send_sms(user["mobile"], f"Your Libertum code is {code}. It expires in 10 minutes.", user["_id"])


def verify_mobile(user: dict, code: str, ip: str) -> dict:
    key = f"otp:mobile:{user['_id']}"
    store = redis_client.get()
    digest = store.hget(key, "digest")
    if digest is None:
        raise FieldErrors({"code": "This code has expired. Ask for a new one."})
    if store.hincrby(key, "tries", 1) > MOBILE_CODE_ATTEMPTS:
        store.delete(key)
        raise FieldErrors({"code": "Too many wrong codes. Ask for a new one."})
    if not hmac.compare_digest(digest.decode(), _digest(code.strip())):
        raise FieldErrors({"code": "This code is not right. Check the SMS and try again."})
    store.delete(key)
    updated = users.set_fields_locked(get_db(), user["_id"], {"isMobileVerify": True})
    audit.record("mobile.verified", actor=updated, ip=ip)
    return updated


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
