"""The held wallets' data key (AES-256-GCM, app.domain.custody.keys): what is sealed opens only with the same
key and associated data, a rotated key still opens what it sealed, and nothing of the secret shows."""

from __future__ import annotations

import base64
import dataclasses
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.custody.keys import SCHEME, KeyUnavailable, LocalDataKey, Sealed, key_id_of


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


KEY = LocalDataKey([new_key()])


@given(secret=st.binary(min_size=32, max_size=64), user=st.text(min_size=1, max_size=40))
def test_what_is_sealed_opens_with_the_same_key_and_associated_data(secret, user):
    sealed = KEY.seal(secret, user.encode())
    assert KEY.open(sealed, user.encode()) == secret
    assert secret.hex() not in str(sealed.as_fields())


def test_another_users_associated_data_does_not_open_it():
    sealed = KEY.seal(b"\x01" * 32, b"custodyWallets:user-a")
    with pytest.raises(KeyUnavailable, match="does not open"):
        KEY.open(sealed, b"custodyWallets:user-b")


def test_a_changed_ciphertext_does_not_open():
    sealed = KEY.seal(b"\x02" * 32, b"u")
    raw = bytearray(base64.b64decode(sealed.ciphertext))
    raw[0] ^= 1
    with pytest.raises(KeyUnavailable):
        KEY.open(dataclasses.replace(sealed, ciphertext=base64.b64encode(bytes(raw)).decode()), b"u")


def test_each_seal_uses_a_fresh_nonce():
    first, second = KEY.seal(b"same", b"u"), KEY.seal(b"same", b"u")
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext


def test_rotation_the_new_key_seals_and_the_retired_one_still_opens():
    old, new = new_key(), new_key()
    sealed_before = LocalDataKey([old]).seal(b"key", b"u")
    rotated = LocalDataKey([new, old])
    assert rotated.current_id == key_id_of(base64.urlsafe_b64decode(new)) != sealed_before.key_id
    assert rotated.open(sealed_before, b"u") == b"key"
    assert rotated.seal(b"key", b"u").key_id == rotated.current_id
    with pytest.raises(KeyUnavailable, match="no configured WALLET_DATA_KEY"):
        LocalDataKey([new]).open(sealed_before, b"u")  # the old key removed too early


def test_the_stored_fields_name_the_key_and_the_scheme_and_read_back():
    sealed = KEY.seal(b"k", b"u")
    fields = sealed.as_fields()
    assert set(fields) == {"encryptedKey", "nonce", "keyId", "keyVersion"}
    assert fields["keyVersion"] == SCHEME and fields["keyId"].startswith("local:")
    assert Sealed.from_fields(fields) == sealed


def test_a_key_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="32-byte"):
        LocalDataKey([base64.urlsafe_b64encode(b"short").decode()])
