"""Who may do what: access rules, sub-admin permissions, managing users and granting permissions."""

import pytest

from app.domain.accounts import permissions as p

VISITOR = None
INVESTOR = {"_id": 1, "userType": "investor"}
ISSUER = {"_id": 2, "userType": "issuer"}
ADMIN = {"_id": 3, "userType": "admin"}
SUB_USERS = {"_id": 4, "userType": "subadmin", "permissions": ["users", "audit"]}
SUB_NONE = {"_id": 5, "userType": "subadmin", "permissions": []}
SUB_ADMINS = {"_id": 6, "userType": "subadmin", "permissions": ["subadmins", "kyc"]}


@pytest.mark.parametrize(("rule", "allowed"), [
    (p.PUBLIC, {0, 1, 2, 3, 4, 5}),
    (p.SIGNED_IN, {1, 2, 3, 4, 5}),
    (p.INVESTORS, {1}),
    (p.ISSUERS, {2}),
    (p.ADMINS, {3}),
    (p.STAFF, {3, 4, 5}),
    (p.staff("users"), {3, 4}),
    (p.staff("kyc"), {3}),
])
def test_access_rules(rule, allowed):
    users = {0: VISITOR, 1: INVESTOR, 2: ISSUER, 3: ADMIN, 4: SUB_USERS, 5: SUB_NONE}
    assert {k for k, u in users.items() if p.allows(rule, u)} == allowed


def test_unknown_rules_and_permissions_are_refused_at_declaration():
    with pytest.raises(ValueError):
        p.AccessRule("everyone")
    with pytest.raises(ValueError):
        p.staff("root")


def test_admins_hold_every_permission_and_unknown_ones_are_ignored():
    assert p.permissions_of(ADMIN) == frozenset(p.PERMISSIONS)
    assert p.permissions_of({"userType": "subadmin", "permissions": ["users", "root"]}) == {"users"}
    assert p.permissions_of(INVESTOR) == frozenset()


@pytest.mark.parametrize(("actor", "target", "allowed"), [
    (ADMIN, INVESTOR, True), (ADMIN, SUB_USERS, True), (ADMIN, {"_id": 9, "userType": "admin"}, True),
    (ADMIN, ADMIN, False),  # never oneself
    (SUB_USERS, INVESTOR, True), (SUB_USERS, ISSUER, True), (SUB_USERS, SUB_NONE, False),
    (SUB_USERS, ADMIN, False), (SUB_ADMINS, SUB_NONE, True), (SUB_ADMINS, INVESTOR, False),
    (SUB_NONE, INVESTOR, False), (INVESTOR, ISSUER, False), (None, INVESTOR, False),
])
def test_who_may_manage_whom(actor, target, allowed):
    assert p.can_manage_user(actor, target) is allowed


def test_nobody_grants_more_than_they_hold():
    assert p.refused_grants(ADMIN, ["users", "kyc", "audit"]) == []
    assert p.refused_grants(ADMIN, ["root"]) == ["root"]
    assert p.refused_grants(SUB_ADMINS, ["kyc"]) == []
    assert p.refused_grants(SUB_ADMINS, ["kyc", "orders"]) == ["orders"]
    assert p.refused_grants(SUB_USERS, ["users"]) == ["users"]  # no `subadmins`: grants nothing
