"""The process's one Web3 client, built lazily from ETH_RPC_URL after any fork."""

from __future__ import annotations

from web3 import Web3

from app.extensions import PerProcess

RPC_TIMEOUT_S = 30


def _make_web3(config: dict) -> Web3:
    return Web3(Web3.HTTPProvider(config["ETH_RPC_URL"], request_kwargs={"timeout": RPC_TIMEOUT_S}))


web3_client: PerProcess[Web3] = PerProcess("libertum.web3", _make_web3, "ETH_RPC_URL")
