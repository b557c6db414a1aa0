"""Investors with proven wallets, and chain events applied the way chain-sync applies them."""

from __future__ import annotations

import itertools

import pytest
from eth_account import Account

from app.data import user_details
from app.events.handlers import apply_chain_messages
from tests.integration.accounts.conftest import BrowserClient, login, make_user

ZERO = "0x" + "0" * 40
_BLOCKS = itertools.count(1000)


@pytest.fixture(autouse=True)
def browser_like_clients(app):
    app.test_client_class = BrowserClient


def investor_with_wallet(db, wallets: int = 1) -> dict:
    """A signed-up investor who proved `wallets` new wallets (userdetails.wallets, isVerify)."""
    user = make_user("investor")
    user["wallets"] = [Account.create().address for _ in range(wallets)]
    for address in user["wallets"]:
        user_details.add_verified_wallet(db, user["_id"], address, "EIP-1193")
    return user


def signed_in(app, user: dict):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def log_message(event: str, token: str, args: dict, *, block: int | None = None, log_index: int = 0) -> dict:
    """A `chain.events` message as the chain monitor publishes it (integers as ints; the store stringifies them)."""
    block = next(_BLOCKS) if block is None else block
    block_hash = f"0x{block:064x}"
    return {"id": f"31337:{block_hash}:{log_index}", "kind": "log", "chainId": 31337, "event": event,
            "address": token, "args": args, "blockNumber": block, "blockHash": block_hash,
            "transactionHash": f"0x{block:062x}{log_index:02x}", "logIndex": log_index}


def apply(db, *messages: dict) -> list[dict]:
    """Apply messages through chain-sync's handler: event store, holdings, minted orders."""
    assert apply_chain_messages(db, list(messages)) == []
    return list(messages)
