"""Password rules and hashing, without any server."""

import time

import pytest

from app.domain.accounts import password_rules as policy


@pytest.mark.parametrize(("password", "complaint"), [
    ("short", "at least 12"),
    ("x" * 129, "at most 128"),
    ("password1234", "most common"),
    ("ada@example.com", "email or your name"),
    ("Ada Lovelace Byron", "email or your name"),
])
def test_refused_passwords_say_why(password, complaint):
    problems = policy.problems(password, email="ada@example.com", name="Ada Lovelace Byron")
    assert any(complaint in p for p in problems)


@pytest.mark.parametrize("password", ["correct horse battery staple", "no composition rules at all", "a" * 128])
def test_long_uncommon_passwords_pass(password):
    assert policy.problems(password, email="ada@example.com", name="Ada") == []


def test_hashes_are_argon2id_and_verify():
    hashed = policy.hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert policy.verify(hashed, "correct horse battery staple")
    assert not policy.verify(hashed, "correct horse battery stapler")
    assert not policy.verify(None, "anything") and not policy.verify("not-a-hash", "anything")


def test_a_check_stays_well_under_300_ms():
    hashed = policy.hash_password("correct horse battery staple")
    start = time.perf_counter()
    policy.verify(hashed, "correct horse battery staple")
    assert time.perf_counter() - start < 0.3


def test_history_keeps_the_last_five_and_refuses_them():
    history = []
    for n in range(7):
        history = policy.remember(history, policy.hash_password(f"passphrase number {n}"))
    assert len(history) == policy.HISTORY_SIZE
    assert policy.reused("passphrase number 6", history) and policy.reused("passphrase number 2", history)
    assert not policy.reused("passphrase number 1", history)


def test_the_common_list_is_shipped_and_large():
    assert len(policy.common_passwords()) > 10000 and "123456" in policy.common_passwords()
