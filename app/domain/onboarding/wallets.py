"""Proven wallets: a server nonce in Redis, an EIP-4361 message, the wallet stored in userdetails.wallets.

Why Redis and GETDEL: the nonce must be single-use and short-lived across every web
instance; taking it with one atomic GETDEL means two requests racing with the same signed
message cannot both succeed. The nonce is bound to the user it was issued to.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from flask import current_app

from app import locks
from app.chain.node import web3_client
from app.data import user_details
from app.data.mongo import get_db
from app.domain.onboarding import siwe
from app.domain.onboarding.identities import enqueue_identities
from app.extensions import redis_client

NONCE_TTL_S = 300
NONCE_KEY = "siwe:nonce:"
WALLET_TYPE = "EIP-1193"


def _chain_id() -> int:
    return web3_client.get().eth.chain_id


def message_for(user: dict, address: str, *, domain: str, uri: str) -> str:
    """A fresh EIP-4361 message for `address`, with a nonce only this user can spend once, within 5 minutes."""
    nonce = secrets.token_hex(12)
    redis_client.get().set(NONCE_KEY + nonce, str(user["_id"]), ex=NONCE_TTL_S)
    now = datetime.now(UTC)
    return siwe.build(domain, address, uri, _chain_id(), nonce, now, now + timedelta(seconds=NONCE_TTL_S)).text()


def prove_wallet(user: dict, message: str, signature: str, *, domain: str, uri: str) -> str:
    """Verify the signed message and record the wallet with isVerify; returns its checksum address.

    Raises SiweError (shown to the user) for a wrong signature, a foreign, expired or reused nonce,
    or a wallet already proven by another account.
    """
    parsed = siwe.verify(message, signature, domain=domain, uri=uri, chain_id=_chain_id(), now=datetime.now(UTC))
    owner = redis_client.get().getdel(NONCE_KEY + parsed.nonce)
    if owner is None or owner.decode() != str(user["_id"]):
        raise siwe.SiweError("This message was already used or has expired; connect the wallet again.")
    db = get_db()
    # Locks: two accounts proving one wallet at once both passed the owner check, and the wallets
    # list's compare-and-set can pass twice (a wallet or its identity lost; app/locks.py).
    with locks.wallet(parsed.address):
        holder = user_details.wallet_owner(db, parsed.address)
        if holder is not None and holder != user["_id"]:
            raise siwe.SiweError("This wallet is already linked to another account.")
        with locks.userdetails(user["_id"]):
            user_details.add_verified_wallet(db, ObjectId(user["_id"]), parsed.address, WALLET_TYPE)
    if user.get("isKyc"):
        enqueue_identities(user["_id"])
    current_app.logger.info("user %s proved wallet %s", user["_id"], parsed.address)
    return parsed.address
