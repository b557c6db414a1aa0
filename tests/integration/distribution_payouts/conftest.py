"""The real chain path for payouts: the chain monitor (watching the platform's DividendDistributor, from the chain
head) and chain-sync as processes, the Test USD contract, and helpers to wait on lines and read balances."""

from __future__ import annotations

import pytest

from app.chain.artifacts import contract
from app.chain.wallet import hot_wallet
from app.data import chain_checkpoints
from tests.fixtures.processes import flask_argv, start_process, stop_process


@pytest.fixture
def hot(app):
    return hot_wallet(app.config)


@pytest.fixture
def usd(platform, hot):
    return contract(hot.w3, "TestUSD", platform["stablecoin"]["address"])


@pytest.fixture
def chain_processes(app, db, platform, services, tmp_path, hot):
    """Monitor (from the head: earlier tests' logs are not replayed) and chain-sync."""
    head = hot.w3.eth.get_block("latest")
    chain_checkpoints.save(db, f"chain-monitor:{hot.w3.eth.chain_id}", head["number"],
                           [{"number": head["number"], "hash": head["hash"].to_0x_hex(), "addresses": []}])
    monitor = start_process(flask_argv("chain", "monitor"), services, "chain-monitor", tmp_path)
    sync = start_process(flask_argv("chain", "sync"), services, "chain-sync", tmp_path)
    yield
    stop_process(monitor)
    stop_process(sync)
