"""The platform's data key for held wallets' private keys: envelope-free AES-256-GCM behind a small interface.

Why an interface: in production the key belongs in a KMS (AWS KMS, GCP KMS, Vault transit), where
it never leaves the service and every use is logged there; `DataKey` is the two calls such a
backend provides (encrypt and decrypt with associated data). `LocalDataKey` is the implementation
for development, tests and a deployment without a KMS: the keys of `WALLET_DATA_KEY` (the first
encrypts, every one decrypts, so a key is rotated by putting the new one first and resealing with
`flask custody reseal`). The user id is the associated data: a sealed key copied onto another
user's document does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEME = "aes-256-gcm/v1"
NONCE_BYTES = 12


class KeyUnavailable(RuntimeError):
    """The sealed key does not open: another key id than configured, or the wrong associated data."""


@dataclass(frozen=True)
class Sealed:
    """What is stored: the ciphertext (tag included), its nonce, the key's id and the scheme's version."""

    ciphertext: str
    nonce: str
    key_id: str
    version: str = SCHEME

    def as_fields(self) -> dict:
        return {"encryptedKey": self.ciphertext, "nonce": self.nonce, "keyId": self.key_id, "keyVersion": self.version}

    @classmethod
    def from_fields(cls, doc: dict) -> Sealed:
        return cls(doc["encryptedKey"], doc["nonce"], doc["keyId"], doc.get("keyVersion") or SCHEME)


class DataKey(Protocol):
    """A key that seals and opens small secrets; a KMS-backed one implements the same two calls."""

    @property
    def current_id(self) -> str: ...

    def seal(self, plaintext: bytes, associated_data: bytes) -> Sealed: ...

    def open(self, sealed: Sealed, associated_data: bytes) -> bytes: ...


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def key_id_of(key: bytes) -> str:
    """A key's public name: a fingerprint (it reveals nothing of the key, and tells which key sealed what)."""
    return "local:" + hashlib.sha256(b"libertum-wallet-data-key:" + key).hexdigest()[:16]


class LocalDataKey:
    """AES-256-GCM with keys from configuration; the first key seals, all of them open."""

    def __init__(self, encoded_keys: tuple[str, ...] | list[str]):
        keys = [base64.urlsafe_b64decode(k.encode()) for k in encoded_keys]
        if not keys or any(len(k) != 32 for k in keys):
            raise ValueError("WALLET_DATA_KEY must hold 32-byte keys")
        self._keys = {key_id_of(k): k for k in keys}
        self._current = key_id_of(keys[0])

    @property
    def current_id(self) -> str:
        return self._current

    def seal(self, plaintext: bytes, associated_data: bytes) -> Sealed:
        nonce = secrets.token_bytes(NONCE_BYTES)
        ciphertext = AESGCM(self._keys[self._current]).encrypt(nonce, plaintext, associated_data)
        return Sealed(_b64(ciphertext), _b64(nonce), self._current)

    def open(self, sealed: Sealed, associated_data: bytes) -> bytes:
        key = self._keys.get(sealed.key_id)
        if key is None or sealed.version != SCHEME:
            raise KeyUnavailable(f"no configured WALLET_DATA_KEY has id {sealed.key_id} ({sealed.version})")
        try:
            return AESGCM(key).decrypt(base64.b64decode(sealed.nonce), base64.b64decode(sealed.ciphertext),
                                       associated_data)
        except InvalidTag:
            raise KeyUnavailable("the sealed key does not open with this key and associated data") from None


def data_key(config: dict) -> DataKey:
    """The configured data key (a KMS-backed DataKey would be chosen here by a setting)."""
    return LocalDataKey(config["WALLET_DATA_KEY"])
