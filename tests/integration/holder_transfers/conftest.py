"""A live offering on anvil (unpaused through the platform agent, as staff will open it), two approved investors
registered in it, the sender holding minted tokens, and helpers to sign a transfer with the sender's own key."""

from __future__ import annotations

import re

import pytest

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from tests.fixtures.chain import approved_investor, live_offering


@pytest.fixture
def offering(app, platform):
    """Created before `chain_workers` (list it first): the monitor watches its suite from the start."""
    return live_offering(app, platform, unpause=True, details={"tokenTicker": "HTF", "latestNav": 150_00})


@pytest.fixture
def agent(app):
    return hot_wallet(app.config)


@pytest.fixture
def pair(app, platform, offering, agent):
    """(sender, recipient): approved investors of the offering, each wallet funded with gas money."""
    people = [approved_investor(app, platform, offering), approved_investor(app, platform, offering)]
    for person in people:
        agent.w3.provider.make_request("anvil_setBalance", [person["account"].address, hex(10**20)])
    return people


def sign_transfer(w3, account, token: str, to: str, amount: int) -> str:
    """The investor's own key signs the token's transfer(to, amount) (what the browser wallet does); the tx hash."""
    call = contract(w3, "Token", token).functions.transfer(to, amount)
    tx = call.build_transaction({"from": account.address, "nonce": w3.eth.get_transaction_count(account.address),
                                 "chainId": w3.eth.chain_id})
    signed = account.sign_transaction(tx)
    return w3.eth.send_raw_transaction(signed.raw_transaction).to_0x_hex()


def record(client, offering: dict, fields: dict):
    """What static/js/send.js posts once the wallet returned the hash (the CSRF token from the page's meta tag)."""
    page = client.get(f"/portfolio/send/{offering['_id']}").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post(f"/portfolio/send/{offering['_id']}/sent", data=fields,
                       headers={"Accept": "application/json", "X-CSRFToken": token})


def mint(agent, offering: dict, wallet: str, amount: int) -> str:
    """Mint as the platform agent; the mint's transaction hash."""
    return ops.mint(agent.w3, agent.account, offering["tokenAddress"], wallet, amount)["transactionHash"].to_0x_hex()
