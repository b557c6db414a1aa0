"""An offering on the live token suite (`suite`, `wallet` and `verified` come from tests/fixtures/token_suite.py)
with settled orders (tests/fixtures/suite_offering.py), watched by the monitor and chain-sync processes."""

from __future__ import annotations

import time

import pytest

from app.data import chain_checkpoints, chain_contracts, chain_jobs
from tests.fixtures.processes import flask_argv, start_process, stop_process
from tests.fixtures.suite_offering import offering, token  # noqa: F401 - fixtures


def wait_jobs_closed(db, job_ids: list[str], timeout: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = [chain_jobs.get(db, j) for j in job_ids]
        if all(j and j["status"] in (chain_jobs.DONE, chain_jobs.FAILED) for j in jobs):
            return jobs
        time.sleep(0.2)
    open_jobs = [j["_id"] for j in jobs if j["status"] not in (chain_jobs.DONE, chain_jobs.FAILED)]
    raise AssertionError(f"{len(open_jobs)} chain jobs still open after {timeout} s: {open_jobs[:5]}")


@pytest.fixture
def monitor(app, db, platform, services, tmp_path, wallet, suite):
    """The monitor process, starting at the chain head and watching this test's suite.

    Without the checkpoint it would republish the whole session's chain (every earlier
    test's logs) and chain-sync would spend the test replaying them.
    """
    head = wallet.w3.eth.get_block("latest")
    chain_id = wallet.w3.eth.chain_id
    chain_checkpoints.save(db, f"chain-monitor:{chain_id}", head["number"],
                           [{"number": head["number"], "hash": head["hash"].to_0x_hex(), "addresses": []}])
    chain_contracts.add(db, chain_id, {suite["token"]: "suite", suite["identityRegistry"]: "suite"}, source="test")
    process = start_process(flask_argv("chain", "monitor"), services, "chain-monitor", tmp_path)
    yield process
    stop_process(process)


@pytest.fixture
def sync(app, services, tmp_path):
    process = start_process(flask_argv("chain", "sync"), services, "chain-sync", tmp_path)
    yield process
    stop_process(process)


def holding(db, token_address, wallet):
    doc = db.holdings.find_one({"_id": f"{token_address}:{wallet}"}) or {}
    return int(doc.get("balance", 0)), int(doc.get("frozen", 0)), doc.get("isFrozen", False)


def caught_up(db, wallet) -> bool:
    checkpoint = db.chainCheckpoints.find_one({})
    return bool(checkpoint) and checkpoint["height"] >= wallet.w3.eth.block_number
