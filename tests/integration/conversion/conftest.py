"""An issuer's offering on a fresh 18-decimal token suite (unpaused with the platform agent, as engineer B's staff
flow will), holders verified in its registry with tokens minted, and the platform processes conversion needs:
the chain monitor, chain-sync and a chain worker."""

from __future__ import annotations

import secrets

import pytest
from eth_account import Account

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.data import chain_checkpoints, chain_contracts, user_details
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import FRANCE, agent_suite, registered_identity, start_worker
from tests.fixtures.processes import flask_argv, start_process, stop_process, wait_for

DECIMALS = 18
UNIT = 10**DECIMALS


@pytest.fixture
def wallet(app):
    return hot_wallet(app.config)


@pytest.fixture
def suite(app, platform, wallet):
    """Deployed paused, as every suite; the `monitor` fixture unpauses it once it watches (chain-sync sees it)."""
    return agent_suite(wallet, platform, prefix="cv", name="Canal Warehouse", symbol="CWH", countries=[FRANCE],
                       decimals=DECIMALS, unpause=False)


@pytest.fixture
def token(wallet, suite):
    return contract(wallet.w3, "Token", suite["token"])


@pytest.fixture
def issuer():
    return make_user("issuer")


@pytest.fixture
def issuer_client(app, issuer):
    return signed_in_client(app, issuer)


@pytest.fixture
def offering(db, suite, wallet, issuer):
    chain_contracts.add(db, wallet.w3.eth.chain_id, {suite["token"]: "suite", suite["identityRegistry"]: "suite"},
                        source="test")
    doc = offering_doc(title="Canal Warehouse", createdBy=issuer["_id"], tokenAddress=suite["token"],
                       identityRegistry=suite["identityRegistry"],
                       details={"tokenDecimals": DECIMALS, "tokenTicker": "CWH", "lockupMonths": 0})
    return list_offering(db, doc)


@pytest.fixture
def holder(app, db, platform, wallet, suite):
    """Factory: an investor signed in (`client`), with a wallet verified on the platform and registered in the
    suite's registry, holding `tokens` whole tokens minted by the agent."""
    signer = Account.from_key(app.config["CLAIM_SIGNER_PRIVATE_KEY"])

    def make(tokens: int = 0, *, registered: bool = True) -> dict:
        user = make_user("investor")
        account = Account.create()
        address = account.address
        if registered:
            registered_identity(wallet, platform, suite["identityRegistry"], address, FRANCE, signer, data=b"kyc:ok")
        user_details.add_verified_wallet(db, user["_id"], address, "metamask")
        if tokens:
            ops.mint(wallet.w3, wallet.account, suite["token"], address, tokens * UNIT)
        return {**user, "wallet": address, "account": account, "client": signed_in_client(app, user)}
    return make


@pytest.fixture
def monitor(app, db, services, tmp_path, wallet, offering):
    """The monitor from the chain head, watching the offering's suite; then the token is unpaused (the sale is
    over), through app/chain/agent.unpause with the platform agent, as engineer B's staff flow does."""
    head = wallet.w3.eth.get_block("latest")
    chain_checkpoints.save(db, f"chain-monitor:{wallet.w3.eth.chain_id}", head["number"],
                           [{"number": head["number"], "hash": head["hash"].to_0x_hex(), "addresses": []}])
    process = start_process(flask_argv("chain", "monitor"), services, "chain-monitor", tmp_path)
    ops.unpause(wallet.w3, wallet.account, offering["tokenAddress"])
    yield process
    stop_process(process)


@pytest.fixture
def sync(app, services, tmp_path):
    process = start_process(flask_argv("chain", "sync"), services, "chain-sync", tmp_path)
    yield process
    stop_process(process)


@pytest.fixture
def worker(services, tmp_path):
    process = start_worker(services, tmp_path, f"chain-worker-{secrets.token_hex(3)}")
    yield process
    stop_process(process)


def balance_of(db, token: str, wallet: str) -> int:
    doc = db.holdings.find_one({"_id": f"{token}:{wallet}"}) or {}
    return int(doc.get("balance", 0))


def wait_balance(db, token: str, wallet: str, expected: int, timeout: float = 60) -> None:
    """Chain-sync has folded the wallet's balance to `expected` (its projection, not the chain)."""
    wait_for(lambda: balance_of(db, token, wallet) == expected, timeout, f"holding {token}:{wallet} == {expected}")
