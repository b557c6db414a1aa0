"""Back-office operations on accounts: users (search, view, deactivate, reactivate, soft-delete),
sub-admins (create, change permissions) and the first admin (CLI).

Every operation takes the acting user and checks the rules of `permissions` itself, so a
view that forgot a check still cannot do more than the actor may.
"""

from __future__ import annotations

from flask import current_app

from app.data import users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts import credentials
from app.domain.accounts.permissions import (
    ADMIN,
    PERMISSIONS,
    SUBADMIN,
    USER_TYPES,
    can_manage_user,
    has_permission,
    refused_grants,
)
from app.domain.accounts.service import FieldErrors, create_account
from app.domain.platform import audit
from app.sessions import end_user_sessions

SAFE_FIELDS = ("_id", "name", "legalFullName", "email", "countryCode", "mobile", "userType", "permissions",
               "isActive", "isDeleted", "isEmailVerify", "isMobileVerify", "is2FAActive", "kycStatus",
               "createdAt")


class NotAllowed(errors.NotAllowed):
    """The actor may not do this (403)."""


class NoSuchUser(errors.NotFound):
    """No account with this id (404)."""


def _require(actor: dict, permission: str) -> None:
    if not has_permission(actor, permission):
        raise NotAllowed(f"needs the {permission} permission")


def _public(user: dict) -> dict:
    """The account as back-office pages show it: never the password hash or 2FA secrets."""
    return {key: user.get(key) for key in SAFE_FIELDS} | {"id": str(user["_id"])}


def _load(user_id: str) -> dict:
    found = parse_id(user_id)
    user = users.by_id(get_db(), found) if found else None
    if user is None:
        raise NoSuchUser(user_id)
    return user


def search_users(actor: dict, text: str = "", user_type: str = "") -> list[dict]:
    _require(actor, "users")
    kind = user_type if user_type in USER_TYPES else ""
    return [_public(u) for u in users.search(get_db(), text[:100], kind)]


def view_user(actor: dict, user_id: str) -> dict:
    _require(actor, "users")
    user = _load(user_id)
    return _public(user) | {"manageable": can_manage_user(actor, user)}


def _set_state(actor: dict, user_id: str, values: dict, event: str, ip: str) -> dict:
    target = _load(user_id)
    if not can_manage_user(actor, target):
        raise NotAllowed("may not manage this account")
    updated = users.set_fields_locked(get_db(), target["_id"], values)
    ended = 0 if values.get("isActive", True) else end_user_sessions(current_app.config, str(target["_id"]))
    audit.record(event, actor=actor, subject=updated, ip=ip, details={"sessionsEnded": ended})
    return _public(updated)


def deactivate(actor: dict, user_id: str, ip: str) -> dict:
    """Deactivate an account; its sessions end at once."""
    return _set_state(actor, user_id, {"isActive": False}, "user.deactivated", ip)


def reactivate(actor: dict, user_id: str, ip: str) -> dict:
    return _set_state(actor, user_id, {"isActive": True, "isDeleted": False}, "user.reactivated", ip)


def soft_delete(actor: dict, user_id: str, ip: str) -> dict:
    """Mark deleted and inactive; the record stays (audit, chain history) and its email stays taken."""
    return _set_state(actor, user_id, {"isActive": False, "isDeleted": True}, "user.deleted", ip)


def list_subadmins(actor: dict) -> list[dict]:
    _require(actor, "subadmins")
    return [_public(u) for u in users.search(get_db(), "", SUBADMIN, limit=200)]


def view_subadmin(actor: dict, user_id: str) -> dict:
    _require(actor, "subadmins")
    user = _load(user_id)
    if user.get("userType") != SUBADMIN:
        raise NoSuchUser(user_id)
    return _public(user) | {"manageable": can_manage_user(actor, user)}


def create_subadmin(actor: dict, fields: dict, wanted: list[str], ip: str) -> dict:
    """A sub-admin with the chosen permissions; the new person sets a password through a mailed link."""
    _require(actor, "subadmins")
    refused = refused_grants(actor, wanted)
    if refused:
        raise FieldErrors({"permissions": f"You cannot grant: {', '.join(refused)}."})
    user = create_account({**fields, "user_type": SUBADMIN, "permissions": sorted(set(wanted))}, actor=actor,
                          ip=ip, event="role.created")
    credentials.send_reset_link(user, "Your Libertum back-office account",
                                "An administrator created a back-office account for you.", valid_hours=72)
    return _public(user)


def set_permissions(actor: dict, user_id: str, wanted: list[str], ip: str) -> dict:
    _require(actor, "subadmins")
    target = _load(user_id)
    if target.get("userType") != SUBADMIN:
        raise NoSuchUser(user_id)
    if not can_manage_user(actor, target):
        raise NotAllowed("may not manage this account")
    refused = refused_grants(actor, wanted)
    if refused:
        raise FieldErrors({"permissions": f"You cannot grant: {', '.join(refused)}."})
    before = sorted(target.get("permissions") or [])
    after = sorted(set(wanted))
    updated = users.set_fields_locked(get_db(), target["_id"], {"permissions": after})
    audit.record("permissions.changed", actor=actor, subject=updated, ip=ip,
                 details={"before": before, "after": after})
    return _public(updated)


def create_admin(*, email: str, country_code: str, mobile: str, legal_name: str, password: str) -> dict:
    """The first (or another) admin, from the CLI: no actor, the password typed by the operator."""
    user = create_account({"email": email, "country_code": country_code, "mobile": mobile,
                           "legal_name": legal_name, "password": password, "user_type": ADMIN,
                           "permissions": sorted(PERMISSIONS)}, ip="cli", event="role.created")
    users.set_fields_locked(get_db(), user["_id"], {"isEmailVerify": True})
    return _public(user)
