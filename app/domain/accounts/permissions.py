"""Who may do what: user types, sub-admin permissions and access rules. Pure: no server needed.

A user is the `users` document (or None for a visitor). Admins hold every permission;
a sub-admin holds exactly the permissions listed on the account (`permissions`);
investors and issuers hold none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

INVESTOR, ISSUER, ADMIN, SUBADMIN = "investor", "issuer", "admin", "subadmin"
USER_TYPES = (INVESTOR, ISSUER, ADMIN, SUBADMIN)
STAFF_TYPES = (ADMIN, SUBADMIN)

# Sub-admin permissions, in the order the back office lists them.
PERMISSIONS: dict[str, str] = {
    "kyc": "KYC review",
    "issuer_requests": "Issuer requests",
    "offerings": "Offerings",
    "whitelist": "Whitelist",
    "orders": "Orders",
    "transfers": "Transfers",
    "dividends": "Dividends",
    "users": "Users",
    "subadmins": "Sub-admins",
    "audit": "Audit log",
}

User = Mapping | None


@dataclass(frozen=True)
class AccessRule:
    """Who may open a route: `kind` is public, signed_in, a user type, or staff (admin, or a sub-admin
    holding `permission`; staff with no permission means any admin or sub-admin)."""

    kind: str
    permission: str | None = None

    def __post_init__(self):
        if self.kind not in ("public", "signed_in", "staff", "admin", INVESTOR, ISSUER):
            raise ValueError(f"unknown access rule kind {self.kind!r}")
        if self.permission is not None and self.permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {self.permission!r}")

    def __str__(self) -> str:
        return f"{self.kind}:{self.permission}" if self.permission else self.kind


PUBLIC = AccessRule("public")
SIGNED_IN = AccessRule("signed_in")
INVESTORS = AccessRule(INVESTOR)
ISSUERS = AccessRule(ISSUER)
ADMINS = AccessRule("admin")
STAFF = AccessRule("staff")


def staff(permission: str) -> AccessRule:
    return AccessRule("staff", permission)


def user_type(user: User) -> str | None:
    return user.get("userType") if user else None


def permissions_of(user: User) -> frozenset[str]:
    if user_type(user) == ADMIN:
        return frozenset(PERMISSIONS)
    if user_type(user) == SUBADMIN:
        return frozenset(p for p in user.get("permissions") or () if p in PERMISSIONS)
    return frozenset()


def has_permission(user: User, permission: str) -> bool:
    return permission in permissions_of(user)


def allows(rule: AccessRule, user: User) -> bool:
    """Whether `user` (None: a visitor) may open a route guarded by `rule`."""
    if rule.kind == "public":
        return True
    if not user:
        return False
    kind = user_type(user)
    if rule.kind == "signed_in":
        return True
    if rule.kind == "admin":
        return kind == ADMIN
    if rule.kind == "staff":
        return kind in STAFF_TYPES and (rule.permission is None or has_permission(user, rule.permission))
    return kind == rule.kind


def can_manage_user(actor: User, target: Mapping) -> bool:
    """Deactivate, reactivate or delete `target`: never oneself; admins may act on anyone else;
    sub-admins on investors and issuers with `users`, on sub-admins with `subadmins`, never on admins."""
    if not actor or str(actor.get("_id")) == str(target.get("_id")):
        return False
    target_type = user_type(target)
    if user_type(actor) == ADMIN:
        return True
    if target_type == ADMIN:
        return False
    needed = "subadmins" if target_type == SUBADMIN else "users"
    return has_permission(actor, needed)


def refused_grants(actor: User, wanted: Iterable[str]) -> list[str]:
    """Permissions in `wanted` that `actor` may not hand to a sub-admin: unknown ones, and for a
    sub-admin any it does not hold itself (no one grants more than they have)."""
    held = permissions_of(actor) if has_permission(actor, "subadmins") else frozenset()
    return sorted(p for p in set(wanted) if p not in PERMISSIONS or p not in held)
