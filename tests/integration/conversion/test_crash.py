"""A conversion is exactly once across crashes: the worker SIGKILLed again and again while conversions run, and a
crash between recording the signed transaction and broadcasting it. Both legs are one transaction of the ERC-20
converter, so there is no state "burnt but not minted"; these tests show the job never sends it twice."""

from __future__ import annotations

import random
import time

import pytest

from app.chain.artifacts import contract
from app.domain.platform import chain_jobs as runner
from app.domain.platform import chain_ops
from tests.fixtures.chain import kill_group, start_worker
from tests.fixtures.processes import stop_process, wait_for
from tests.integration.conversion.conftest import UNIT, wait_balance
from tests.integration.conversion.test_conversion import convert, enable

KILLS = 8


def wait_for_log(path, text: str, timeout: float = 30) -> None:
    wait_for(lambda: path.exists() and text in path.read_text(errors="replace"), timeout, f"{path.name}: {text}")


def converted_events(erc20) -> list:
    return erc20.events.Converted().get_logs(from_block=0) + erc20.events.ConvertedBack().get_logs(from_block=0)


def test_killing_the_worker_during_conversions_converts_each_exactly_once(app, db, offering, issuer_client, holder,
                                                                          token, wallet, monitor, sync, services,
                                                                          tmp_path):
    alice = holder(100)
    first = start_worker(services, tmp_path, "enabling")
    try:
        erc20 = contract(wallet.w3, "ConvertibleERC20", enable(db, issuer_client, offering)["erc20Address"])
    finally:
        stop_process(first)
    wait_balance(db, offering["tokenAddress"], alice["wallet"], 100 * UNIT)
    quantities = ["10", "0.000000000000000001", "25.5"]
    keys = []
    for quantity in quantities:  # recorded and queued; no worker runs yet
        answer, _ = convert(alice["client"], offering, alice["wallet"], quantity)
        assert answer.status_code == 303, answer.get_data(as_text=True)
        keys.append(answer.headers["Location"].split("/portfolio/conversions/", 1)[1])
    # 64.5 tokens minus one base unit are left unconverted; the running conversions count as converted already
    over, _ = convert(alice["client"], offering, alice["wallet"], "64.5")
    assert over.status_code == 422 and "conversions still running count too" in over.get_data(as_text=True)
    rng = random.Random(14)
    for round_number in range(KILLS):
        chain_ops.requeue_open(app.config)  # what `flask chain requeue` does after an outage
        worker = start_worker(services, tmp_path, f"killed-{round_number}")
        wait_for_log(tmp_path / f"killed-{round_number}.log", "Listening on")
        time.sleep(rng.uniform(0.05, 0.5))
        kill_group(worker)
    chain_ops.requeue_open(app.config)
    survivor = start_worker(services, tmp_path, "survivor")
    try:
        jobs = [wait_for(lambda k=k: db.chainJobs.find_one({"_id": k, "status": {"$in": ["done", "failed"]}}), 120,
                         f"conversion {k} closed") for k in keys]
    finally:
        stop_process(survivor)
    assert {job["status"] for job in jobs} == {"done"}
    total = 10 * UNIT + 1 + 255 * UNIT // 10
    assert len(converted_events(erc20)) == 3, "three conversions on chain, none twice"
    assert erc20.functions.balanceOf(alice["wallet"]).call() == total
    assert token.functions.balanceOf(alice["wallet"]).call() == 100 * UNIT - total
    wait_balance(db, erc20.address, alice["wallet"], total)
    wait_balance(db, offering["tokenAddress"], alice["wallet"], 100 * UNIT - total)


class Crash(BaseException):
    """Stands for SIGKILL at a chosen step (BaseException: no handler in the job layer catches it)."""


def _crash(*_args, **_kwargs):
    raise Crash


def test_crash_after_recording_before_broadcast_sends_the_same_conversion(app, db, offering, issuer_client, holder,
                                                                          token, wallet, monitor, sync, worker,
                                                                          monkeypatch):
    alice = holder(5)
    erc20 = contract(wallet.w3, "ConvertibleERC20", enable(db, issuer_client, offering)["erc20Address"])
    stop_process(worker)  # this test drives the job itself
    wait_balance(db, offering["tokenAddress"], alice["wallet"], 5 * UNIT)
    answer, _ = convert(alice["client"], offering, alice["wallet"], "2")
    key = answer.headers["Location"].split("/portfolio/conversions/", 1)[1]
    app.config["CHAIN_JOB_LEASE_SECONDS"] = 0.2
    with monkeypatch.context() as patch:
        patch.setattr(runner, "broadcast", _crash)
        with pytest.raises(Crash):
            runner.execute(app.config, key)
    recorded = db.chainJobs.find_one({"_id": key})["txs"]
    assert len(recorded) == 1 and token.functions.balanceOf(alice["wallet"]).call() == 5 * UNIT, "nothing sent yet"
    time.sleep(0.3)
    job = runner.execute(app.config, key)
    assert job["status"] == "done" and job["txHash"] == recorded[0]["hash"] and len(job["txs"]) == 1
    assert runner.execute(app.config, key)["txHash"] == recorded[0]["hash"], "running it again sends nothing"
    assert erc20.functions.balanceOf(alice["wallet"]).call() == 2 * UNIT
    assert token.functions.balanceOf(alice["wallet"]).call() == 3 * UNIT
