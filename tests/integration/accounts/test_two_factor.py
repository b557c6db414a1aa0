"""TOTP two-factor: set-up by QR code and a code, recovery codes, sign-in with a code, replay refused,
turning it off only after re-authenticating, the secret encrypted at rest."""

import re
import time

import pyotp

from tests.fixtures.accounts import PASSWORD, login, post


def enable_2fa(client) -> tuple[str, list[str]]:
    """Turn 2FA on as a person would; returns the secret and the recovery codes (client.enabled_with: the code)."""
    post(client, "/auth/2fa/setup", {})
    page = client.get("/auth/2fa").text
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    client.enabled_with = pyotp.TOTP(secret).now()
    response = post(client, "/auth/2fa/enable", {"code": client.enabled_with})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", response.text)
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (clock drift), and not the one that enabled 2FA."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_enable_then_sign_in_with_a_code(app, db, investor):
    client = app.test_client()
    login(client, investor)
    secret, codes = enable_2fa(client)
    assert len(codes) == 10
    stored = db.users.find_one({"_id": investor["_id"]})
    assert stored["is2FAActive"] and secret not in str(stored)  # encrypted at rest
    assert len(stored["twoFARecoveryCodes"]) == 10 and codes[0] not in str(stored)

    fresh = app.test_client()
    step1 = login(fresh, investor)
    assert step1.status_code == 303 and "/auth/login/code" in step1.headers["Location"]
    assert fresh.get("/auth/account").status_code == 302  # not signed in before the code
    wrong = post(fresh, "/auth/login/code", {"code": "000000"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    spent = post(fresh, "/auth/login/code", {"code": client.enabled_with})
    assert spent.status_code == 401 and "already used" in spent.text
    assert post(fresh, "/auth/login/code", {"code": next_code(secret)}).status_code == 303
    assert fresh.get("/auth/account").status_code == 200


def test_a_code_cannot_be_replayed(app, investor):
    client = app.test_client()
    login(client, investor)
    secret, _ = enable_2fa(client)
    code = next_code(secret)
    first = app.test_client()
    login(first, investor)
    assert post(first, "/auth/login/code", {"code": code}).status_code == 303
    thief = app.test_client()
    login(thief, investor)
    replay = post(thief, "/auth/login/code", {"code": code})
    assert replay.status_code == 401 and "already used" in replay.text
    assert thief.get("/auth/account").status_code == 302


def test_recovery_codes_work_once(app, db, investor):
    client = app.test_client()
    login(client, investor)
    _, codes = enable_2fa(client)
    for expected in (303, 401):
        other = app.test_client()
        login(other, investor)
        assert post(other, "/auth/login/code", {"code": codes[0].upper()}).status_code == expected
    assert len(db.users.find_one({"_id": investor["_id"]})["twoFARecoveryCodes"]) == 9


def test_disable_needs_password_and_code(app, db, investor):
    client = app.test_client()
    login(client, investor)
    _, codes = enable_2fa(client)
    no_password = post(client, "/auth/2fa/disable", {"password": "wrong wrong wrong", "code": codes[1]})
    assert no_password.status_code == 422 and "not your password" in no_password.text
    no_code = post(client, "/auth/2fa/disable", {"password": PASSWORD, "code": "123456"})
    assert no_code.status_code == 422
    assert db.users.find_one({"_id": investor["_id"]})["is2FAActive"]
    assert post(client, "/auth/2fa/disable", {"password": PASSWORD, "code": codes[1]}).status_code == 303
    stored = db.users.find_one({"_id": investor["_id"]})
    assert not stored["is2FAActive"] and stored["twoFASecret"] is None


def test_the_second_step_expires_and_needs_the_first(app, investor):
    client = app.test_client()
    response = post(client, "/auth/login/code", {"code": "123456"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/auth/login")
