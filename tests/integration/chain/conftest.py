"""A real anvil node for the chain tests, and freshly funded random accounts.

LIBERTUM_TEST_ETH_RPC_URL points the tests at a node the test command already started;
without it a private anvil is started on a free port for the session. No key is written
in the repository: accounts are generated per run and funded with anvil_setBalance.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from eth_account import Account
from web3 import Web3

from app.chain.bootstrap import bootstrap_platform

ANVIL = Path(__file__).resolve().parents[3] / "node_modules" / ".bin" / "anvil"
FUNDING_WEI = 10**24  # 1M ether: enough for any number of suite deployments
START_TIMEOUT_S = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_chain(url: str, process: subprocess.Popen) -> None:
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 2}))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"anvil exited early with code {process.returncode}")
        try:
            w3.eth.chain_id  # noqa: B018 - the probe is the call itself
        except requests.exceptions.ConnectionError:
            time.sleep(0.05)
        else:
            return
    raise RuntimeError(f"anvil did not answer eth_chainId at {url} within {START_TIMEOUT_S}s")


@pytest.fixture(scope="session")
def anvil_rpc_url():
    url = os.environ.get("LIBERTUM_TEST_ETH_RPC_URL")
    if url:
        yield url
        return
    if not ANVIL.exists():
        pytest.fail(f"{ANVIL} missing: run npm install (package.json pins @foundry-rs/anvil)")
    port = _free_port()
    process = subprocess.Popen([str(ANVIL), "--port", str(port), "--silent"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_chain(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def w3(anvil_rpc_url):
    return Web3(Web3.HTTPProvider(anvil_rpc_url))


def _funded(w3: Web3):
    account = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(FUNDING_WEI)])
    return account


@pytest.fixture(scope="session")
def fund(w3):
    """Factory for more funded random accounts (agents, investors, outsiders)."""
    return lambda: _funded(w3)


@pytest.fixture(scope="session")
def deployer(w3):
    return _funded(w3)


@pytest.fixture(scope="session")
def claim_signer(w3):
    return _funded(w3)


@pytest.fixture(scope="session")
def platform(w3, deployer, claim_signer):
    return bootstrap_platform(w3, deployer, claim_signer)
