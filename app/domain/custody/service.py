"""Creating a platform-held wallet and opening its key, only on the server.

Why this order: the key is sealed and stored first by a unique insert keyed by the user
(`custodyWallets._id`), so two requests at once keep one key; the wallet then enters
`userdetails.wallets` exactly like a wallet proven by signature (marked `custody: platform`), and
the same identity job gives it its ONCHAINID and KYC claim. A crash between the two steps is
finished by asking again: the stored wallet is found and added. The private key is never logged,
rendered or returned to a view; `open_account` is for server-side signing only.
"""

from __future__ import annotations

import logging

from bson import ObjectId
from eth_account import Account
from eth_account.signers.local import LocalAccount

from app import locks
from app.data import custody_wallets, user_details
from app.data.mongo import get_db
from app.domain import errors
from app.domain.custody import keys, rules
from app.domain.onboarding.identities import enqueue_identities
from app.domain.platform import audit

log = logging.getLogger(__name__)


class CustodyRefused(errors.Refused):
    """The investor may not have a held wallet now (the reason is shown)."""


def _associated_data(user_id: ObjectId) -> bytes:
    return f"custodyWallets:{user_id}".encode()


def held_wallet(config: dict, user_id: ObjectId) -> dict | None:
    """The user's held wallet (address, key id), without the sealed key."""
    return custody_wallets.of_user(get_db(config), user_id)


def create_held_wallet(config: dict, user: dict, ip: str | None = None) -> str:
    """The investor's held wallet, created once; returns its address. Raises CustodyRefused."""
    refusal = rules.creation_refusal(user)
    if refusal:
        raise CustodyRefused(refusal)
    db = get_db(config)
    stored, created = custody_wallets.of_user(db, user["_id"]), False
    if stored is None:
        account = Account.create()
        sealed = keys.data_key(config).seal(bytes(account.key), _associated_data(user["_id"]))
        stored = custody_wallets.insert_first(db, user["_id"], account.address, sealed.as_fields())
        created = stored["address"] == account.address  # else another request's insert won
        del account
    address = stored["address"]
    with locks.wallet(address, config), locks.userdetails(user["_id"], config):
        user_details.add_verified_wallet(db, user["_id"], address, rules.WALLET_TYPE, custody=rules.PLATFORM)
    enqueue_identities(user["_id"])  # the same identity path as a wallet proven by signature
    if created:
        audit.record("wallet.held_created", actor=user, ip=ip, details={"address": address})
        log.info("user %s has platform-held wallet %s", user["_id"], address)
    return address


def open_account(config: dict, user_id: ObjectId) -> LocalAccount:
    """The held wallet's account with its key, opened with the data key (server-side signing only)."""
    doc = custody_wallets.sealed_of_user(get_db(config), user_id)
    if doc is None:
        raise errors.NotFound(f"user {user_id} has no platform-held wallet")
    raw = keys.data_key(config).open(keys.Sealed.from_fields(doc), _associated_data(user_id))
    account = Account.from_key(raw)
    if account.address != doc["address"]:
        raise keys.KeyUnavailable(f"the held wallet of user {user_id} opened to another address")
    return account


def is_held_by_platform(config: dict, user_id: ObjectId, address: str) -> bool:
    """True when `address` is this user's platform-held wallet (orders take bank transfer only then)."""
    stored = custody_wallets.of_user(get_db(config), user_id)
    return bool(stored and address and stored["address"].lower() == address.lower())


def reseal_all(config: dict) -> int:
    """After a key rotation (new key first in WALLET_DATA_KEY): seal every key with the current key; count."""
    db, data_key, done = get_db(config), keys.data_key(config), 0
    for user_id in custody_wallets.all_ids(db):
        doc = custody_wallets.sealed_of_user(db, user_id)
        if doc is None or doc.get("keyId") == data_key.current_id:
            continue
        associated = _associated_data(user_id)
        raw = data_key.open(keys.Sealed.from_fields(doc), associated)
        done += custody_wallets.reseal(db, user_id, doc["keyId"], data_key.seal(raw, associated).as_fields())
    return done


def wallet_entries(config: dict, user_id: ObjectId) -> list[dict]:
    """The user's wallet entries (the held one is marked `custody: platform`)."""
    return user_details.wallets_of(get_db(config), user_id)


def sealed_with_other_keys(config: dict) -> int:
    """How many held wallets' keys are not sealed with the current data key (0 once a rotation is finished)."""
    db, current = get_db(config), keys.data_key(config).current_id
    return sum(1 for user_id in custody_wallets.all_ids(db)
               if (custody_wallets.of_user(db, user_id) or {}).get("keyId") != current)
