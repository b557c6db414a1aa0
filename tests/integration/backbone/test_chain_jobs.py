"""Exactly-once chain jobs: recorded intent, crash-safe resend, and the refusals an admin reads."""

from __future__ import annotations

import random
import threading
import time

import pytest
from eth_account import Account

from app.domain.orders import minting
from app.domain.orders.minting import mint_order, mint_ready_orders
from app.domain.platform import chain_jobs as runner
from app.domain.platform import chain_ops
from tests.fixtures.chain import kill_group, minted_amounts, start_worker
from tests.fixtures.processes import stop_process
from tests.fixtures.suite_offering import settled_orders
from tests.integration.backbone.conftest import wait_jobs_closed

KILLS = 20


def wait_for_log(path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise AssertionError(f"{path.name} never said {text!r}")


def test_batched_mint_of_ready_orders_runs_once_however_often_it_is_run(app, db, offering, token, verified, wallet):
    holders = [verified() for _ in range(3)]
    settled_orders(db, offering, holders * 4, list(range(1, 13)))
    job_ids = mint_ready_orders(app.config, offering, batch_size=5)
    assert len(job_ids) == 3 and sorted(mint_ready_orders(app.config, offering, batch_size=5)) == sorted(job_ids)
    for _ in range(2):
        for job_id in job_ids:
            assert runner.execute(app.config, job_id)["status"] == "done"
    assert sum(token.functions.balanceOf(h).call() for h in holders) == sum(range(1, 13))
    assert len({tx["hash"] for j in job_ids for tx in db.chainJobs.find_one({"_id": j})["txs"]}) == 3


def test_refusals_are_stored_as_admin_messages(app, db, suite, verified, wallet):
    """The contract's reason, as a sentence, is what the admin page shows; nothing is sent."""
    token, holder, outsider = suite["token"], verified(), Account.create().address
    assert runner.execute(app.config, chain_ops.submit(app.config, "mint", "o1", token, holder, 10))["status"] == "done"
    runner.execute(app.config, chain_ops.submit(app.config, "freezePartialTokens", "f1", token, holder, 8))
    refused = {
        "mint:o2": chain_ops.submit(app.config, "mint", "o2", token, outsider, 5),
        "burn:b1": chain_ops.submit(app.config, "burn", "b1", token, holder, 50),
        "freeze:f2": chain_ops.submit(app.config, "freezePartialTokens", "f2", token, holder, 3),
        "force:t1": chain_ops.submit(app.config, "forcedTransfer", "t1", token, holder, outsider, 11),
    }
    nonce = wallet.w3.eth.get_transaction_count(wallet.account.address)
    messages = {name: runner.execute(app.config, job_id)["error"] for name, job_id in refused.items()}
    assert messages == {
        "mint:o2": "Token.mint reverted: Identity is not verified.",
        "burn:b1": "Token.burn reverted: cannot burn more than balance",
        "freeze:f2": "Token.freezePartialTokens reverted: Amount exceeds available balance",
        "force:t1": "Token.forcedTransfer reverted: sender balance too low",
    }
    assert wallet.w3.eth.get_transaction_count(wallet.account.address) == nonce, "refused before sending"
    assert chain_ops.job_status(app.config, "mint:o2")["status"] == "failed"


def test_fifty_jobs_on_several_workers_use_contiguous_nonces(app, db, offering, verified, services, tmp_path, wallet):
    holder = verified()
    orders = settled_orders(db, offering, [holder] * 50, [1] * 50)
    first = wallet.w3.eth.get_transaction_count(wallet.account.address, "pending")
    job_ids = [mint_order(app.config, order_id) for order_id in orders]
    workers = [start_worker(services, tmp_path, f"worker-{n}") for n in range(4)]
    try:
        jobs = wait_jobs_closed(db, job_ids)
    finally:
        for worker in workers:
            stop_process(worker)
    assert {j["status"] for j in jobs} == {"done"}
    nonces = sorted(next(tx["nonce"] for tx in j["txs"] if tx["hash"] == j["txHash"]) for j in jobs)
    assert nonces == list(range(first, first + 50))


def test_killing_the_worker_twenty_times_mints_every_order_exactly_once(app, db, offering, token, verified,
                                                                         services, tmp_path, wallet):
    holders = [verified() for _ in range(4)]
    quantities = [1000 + n for n in range(40)]
    orders = settled_orders(db, offering, [holders[n % 4] for n in range(40)], quantities)
    job_ids = [mint_order(app.config, order_id) for order_id in orders]
    rng = random.Random(4)
    for round_number in range(KILLS):
        chain_ops.requeue_open(app.config)  # what an operator (or a periodic job) does after an outage
        worker = start_worker(services, tmp_path, f"killed-{round_number}")
        wait_for_log(tmp_path / f"killed-{round_number}.log", "Listening on")
        time.sleep(rng.uniform(0.05, 0.6))  # a job takes ~0.1-0.2 s: the kill lands inside one most times
        kill_group(worker)
    interrupted = db.chainJobs.count_documents({"status": {"$in": ["pending", "sent"]}, "txs.0": {"$exists": True}})
    print(f"after {KILLS} kills: {interrupted} jobs left with a signed but unconfirmed transaction")
    chain_ops.requeue_open(app.config)
    survivor = start_worker(services, tmp_path, "survivor")
    try:
        jobs = wait_jobs_closed(db, job_ids)
    finally:
        stop_process(survivor)
    assert {j["status"] for j in jobs} == {"done"}
    assert sorted(minted_amounts(wallet.w3, token)) == quantities, "every order minted exactly once"
    for n, holder in enumerate(holders):
        assert token.functions.balanceOf(holder).call() == sum(quantities[n::4])


class Crash(BaseException):
    """Stands for SIGKILL at a chosen step (BaseException: no handler in the job layer catches it)."""


def _crash(*_args, **_kwargs):
    raise Crash


def test_crash_after_recording_before_broadcast_resends_the_same_bytes(app, db, offering, token, verified,
                                                                       monkeypatch):
    holder = verified()
    job_id = mint_order(app.config, settled_orders(db, offering, [holder], [7])[0])
    app.config["CHAIN_JOB_LEASE_SECONDS"] = 0.2
    with monkeypatch.context() as patch:
        patch.setattr(runner, "broadcast", _crash)
        with pytest.raises(Crash):
            runner.execute(app.config, job_id)
    recorded = db.chainJobs.find_one({"_id": job_id})["txs"]
    time.sleep(0.3)
    job = runner.execute(app.config, job_id)
    assert job["status"] == "done" and job["txHash"] == recorded[0]["hash"] and len(job["txs"]) == 1
    assert token.functions.balanceOf(holder).call() == 7


def test_crash_between_nonce_reservation_and_recording_leaves_no_hole(app, db, offering, token, verified,
                                                                      monkeypatch, wallet):
    holder = verified()
    job_id = mint_order(app.config, settled_orders(db, offering, [holder], [9])[0])
    app.config.update(CHAIN_JOB_LEASE_SECONDS=0.2, CHAIN_NONCE_LEASE_SECONDS=0.2)
    hole = wallet.w3.eth.get_transaction_count(wallet.account.address, "pending")
    with monkeypatch.context() as patch:
        patch.setattr(runner, "sign", _crash)
        with pytest.raises(Crash):
            runner.execute(app.config, job_id)
    time.sleep(0.3)
    job = runner.execute(app.config, job_id)
    assert job["status"] == "done" and job["txs"][0]["nonce"] == hole + 1
    assert wallet.w3.eth.get_transaction_count(wallet.account.address) == hole + 2, "the hole was filled"
    assert token.functions.balanceOf(holder).call() == 9


def test_a_job_waiting_behind_a_dead_jobs_nonce_plugs_it(app, db, offering, token, verified, monkeypatch, wallet):
    """Job A recorded its tx and died before broadcasting; job B, one nonce higher, must not wait forever."""
    holder = verified()
    first, second = (mint_order(app.config, order_id) for order_id in settled_orders(db, offering, [holder] * 2,
                                                                                      [3, 4]))
    app.config.update(CHAIN_JOB_LEASE_SECONDS=0.2, CHAIN_NONCE_LEASE_SECONDS=0.2, CHAIN_STUCK_SECONDS=1)
    with monkeypatch.context() as patch:
        patch.setattr(runner, "broadcast", _crash)
        with pytest.raises(Crash):
            runner.execute(app.config, first)
    time.sleep(0.3)  # the dead job's lease and its nonce's lease have run out
    # the live jobs hold an ordinary lease: 0.2 s could run out mid-job on a busy machine (LeaseLost)
    app.config.update(CHAIN_JOB_LEASE_SECONDS=30)
    assert runner.execute(app.config, second)["status"] == "done"
    job = runner.execute(app.config, first)
    assert job["status"] == "done" and len(job["txs"]) == 2, "signed again once its nonce went to the filler"
    assert sorted(minted_amounts(wallet.w3, token, holder)) == [3, 4]


def test_concurrent_batchers_put_each_order_in_exactly_one_job(app, db, offering, token, verified, wallet):
    """Four callers at once, each cutting the orders into different batches: every order is claimed by one job."""
    holders = [verified() for _ in range(3)]
    quantities = [10 + n for n in range(30)]
    orders = settled_orders(db, offering, [holders[n % 3] for n in range(30)], quantities)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda size=size: results.append(mint_ready_orders(app.config, offering,
                                                                                          batch_size=size)))
               for size in (5, 7, 11, 13)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    job_ids = sorted({job_id for result in results for job_id in result})
    members = [order_id for job_id in job_ids for order_id in db.chainJobs.find_one({"_id": job_id})["orderIds"]]
    assert sorted(members) == sorted(orders), "each order in exactly one job"
    for job_id in job_ids:
        assert runner.execute(app.config, job_id)["status"] == "done"
    assert sorted(minted_amounts(wallet.w3, token)) == quantities
    assert mint_order(app.config, orders[0]) in job_ids, "a single mint of a batched order is its batch"


def test_claims_without_a_job_record_are_recorded_by_the_next_call(app, db, offering, token, verified, wallet,
                                                                    monkeypatch):
    holder = verified()
    settled_orders(db, offering, [holder] * 6, [1, 2, 3, 4, 5, 6])
    with monkeypatch.context() as patch:
        patch.setattr(minting.chain_jobs, "create_many", _crash)
        with pytest.raises(Crash):
            mint_ready_orders(app.config, offering, batch_size=4)
    assert db.mintClaims.count_documents({}) == 6 and db.chainJobs.count_documents({}) == 0
    job_ids = mint_ready_orders(app.config, offering, batch_size=4)
    assert len(job_ids) == 2
    for job_id in job_ids:
        assert runner.execute(app.config, job_id)["status"] == "done"
    assert sorted(minted_amounts(wallet.w3, token, holder)) == [1, 2, 3, 4, 5, 6]
