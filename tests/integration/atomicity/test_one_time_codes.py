"""One-time secrets presented several times at once: a mailed link, an authenticator code, a recovery code.
Each is accepted once. On FerretDB v1 the "not used yet" conditional update let several through."""

from __future__ import annotations

import pyotp
from bson import ObjectId

from app.data import users
from app.domain.accounts import service as accounts
from app.domain.accounts import two_factor
from app.domain.accounts.service import TokenRefused
from app.domain.accounts.two_factor import SecondFactorRefused
from tests.fixtures.accounts import make_user
from tests.integration.atomicity.conftest import race

TRIES, ROUNDS = 6, 4


def two_factor_user(db, recovery: str) -> tuple[dict, str]:
    secret = pyotp.random_base32()
    user_id = users.insert(db, {"email": f"{ObjectId()}@example.com", "mobile": str(ObjectId()),
                                "userType": "investor", "isActive": True, "is2FAActive": True,
                                "twoFASecret": two_factor.seal(secret),
                                "twoFARecoveryCodes": [two_factor.recovery_digest(recovery)]})
    return users.by_id(db, user_id), secret


def test_a_mailed_link_clicked_at_once_is_used_once(app, db):
    with app.app_context():
        user = make_user("investor")
    for _ in range(ROUNDS):
        with app.app_context():
            token = accounts.issue_token(user, accounts.VERIFY_EMAIL)
        results = race(app, [lambda t=token: accounts.consume_token(t, accounts.VERIFY_EMAIL)] * TRIES)
        assert len([r for r in results if isinstance(r, dict)]) == 1, results
        assert all(isinstance(r, TokenRefused) for r in results if not isinstance(r, dict))


def test_an_authenticator_code_or_a_recovery_code_signs_in_once(app, db):
    for n in range(ROUNDS):
        recovery = f"recovery-{n:04d}"
        user, secret = two_factor_user(db, recovery)
        code = recovery if n % 2 else pyotp.TOTP(secret).now()
        results = race(app, [lambda u=str(user["_id"]), c=code: two_factor.complete_login(u, c, "127.0.0.1")]
                       * TRIES)
        assert len([r for r in results if isinstance(r, dict)]) == 1, results
        assert all(isinstance(r, SecondFactorRefused) for r in results if not isinstance(r, dict))
