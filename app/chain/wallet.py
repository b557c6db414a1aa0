"""The platform's hot wallet in this process: its key and its shared nonce manager.

Why one place: every sender of the hot wallet must draw nonces from the same Redis-backed
manager, or two processes hand out the same nonce; building it here keeps that a given.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from app.chain.node import web3_client
from app.chain.nonces import RedisNonces
from app.extensions import redis_client


@dataclass(frozen=True)
class HotWallet:
    w3: Web3
    account: LocalAccount
    nonces: RedisNonces


def hot_wallet(config: dict) -> HotWallet:
    """The configured node, the deployer key and the nonce manager for that key on that chain."""
    w3 = web3_client.get(config)
    account = Account.from_key(config["DEPLOYER_PRIVATE_KEY"])
    nonces = RedisNonces(redis_client.get(config), account, chain_id=w3.eth.chain_id,
                         lease_seconds=config["CHAIN_NONCE_LEASE_SECONDS"])
    return HotWallet(w3, account, nonces)
