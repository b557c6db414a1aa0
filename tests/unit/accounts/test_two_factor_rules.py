"""TOTP matching and recovery codes, without any server."""

import pyotp

from app.domain.accounts.two_factor import matching_step, new_recovery_codes, recovery_digest

SECRET = pyotp.random_base32()
NOW = 1_800_000_015.0
STEP = int(NOW // 30)


def test_current_and_adjacent_steps_match_and_say_which():
    totp = pyotp.TOTP(SECRET)
    assert matching_step(SECRET, totp.at(NOW), NOW) == STEP
    assert matching_step(SECRET, totp.at(NOW - 30), NOW) == STEP - 1
    assert matching_step(SECRET, totp.at(NOW + 30), NOW) == STEP + 1
    assert matching_step(SECRET, totp.at(NOW + 60), NOW) is None


def test_malformed_codes_never_match():
    for code in ("", "12345", "1234567", "abcdef", "12 34 5x"):
        assert matching_step(SECRET, code, NOW) is None
    assert matching_step(SECRET, " ".join(pyotp.TOTP(SECRET).at(NOW)[i:i + 3] for i in (0, 3)), NOW) == STEP


def test_recovery_codes_are_random_and_normalised():
    codes = new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(c) == 19 and c.count("-") == 3 for c in codes)
    assert recovery_digest(codes[0]) == recovery_digest(codes[0].upper().replace("-", " "))
