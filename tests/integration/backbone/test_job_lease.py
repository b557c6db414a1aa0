"""One chain job run by many workers at once sends one transaction.

Why: a job is enqueued twice, requeued by `flask chain requeue`, or retried while its first
run is still going. FerretDB v1 applies a conditional update as an unisolated read then
write, so a lease taken with `find_one_and_update` can be granted to several workers; the
lease is a Redis key set with NX instead (app/locks.py).
"""

from __future__ import annotations

import multiprocessing
import threading

from app import create_app
from app.domain.orders.minting import mint_order
from app.domain.platform import chain_jobs as runner
from app.locks import Lease
from tests.fixtures.chain import minted_amounts
from tests.fixtures.suite_offering import settled_orders

THREADS, JOBS = 8, 4


def _run_together(config: dict, job_id: str, workers: int) -> list[str]:
    """Start `workers` threads on the same job at the same instant; their final statuses (or errors)."""
    barrier, statuses = threading.Barrier(workers), []

    def work() -> None:
        barrier.wait()
        try:
            statuses.append(runner.execute(config, job_id)["status"])
        except Exception as error:  # the assertion below shows what each worker got
            statuses.append(repr(error))
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_a_job_run_by_eight_threads_at_once_mints_once(app, db, offering, token, verified, wallet):
    holder = verified()
    quantities = [100 + n for n in range(JOBS)]
    job_ids = [mint_order(app.config, order_id)
               for order_id in settled_orders(db, offering, [holder] * JOBS, quantities)]
    app.config["CHAIN_JOB_LEASE_SECONDS"] = 2
    nonce = wallet.w3.eth.get_transaction_count(wallet.account.address)
    statuses = [_run_together(app.config, job_id, THREADS) for job_id in job_ids]
    assert sorted(minted_amounts(wallet.w3, token, holder)) == quantities, "each order minted exactly once"
    assert token.functions.balanceOf(holder).call() == sum(quantities)
    assert statuses == [["done"] * THREADS] * JOBS, "every worker sees the job done"
    for job_id in job_ids:
        assert len(db.chainJobs.find_one({"_id": job_id})["txs"]) == 1, "one transaction signed per job"
    assert wallet.w3.eth.get_transaction_count(wallet.account.address) == nonce + JOBS, "no other tx sent"


def _execute_in_process(settings: dict, job_id: str, start, results) -> None:
    app = create_app(settings)
    start.wait()
    results.put(runner.execute(app.config, job_id)["status"])


def test_a_job_run_by_four_processes_at_once_mints_once(app, db, offering, token, verified, wallet):
    holder = verified()
    job_id = mint_order(app.config, settled_orders(db, offering, [holder], [41])[0])
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    settings = {k: v for k, v in app.config.items() if isinstance(v, str | int | float | bool)}
    processes = [context.Process(target=_execute_in_process, args=(settings, job_id, start, results))
                 for _ in range(4)]
    for process in processes:
        process.start()
    start.set()
    statuses = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert statuses == ["done"] * 4
    assert minted_amounts(wallet.w3, token, holder) == [41]
    assert len(db.chainJobs.find_one({"_id": job_id})["txs"]) == 1


def test_a_lease_is_taken_once_renewed_and_released_only_by_its_owner(app):
    lease = Lease(app.config, "test-lease")
    outcomes: list[bool] = []
    barrier = threading.Barrier(10)

    def take(n: int) -> None:
        barrier.wait()
        outcomes.append(lease.take(f"owner-{n}", 5))
    threads = [threading.Thread(target=take, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 9 + [True]
    holder = lease.owner()
    intruder = "owner-x"
    assert not lease.renew(intruder, 5) and not lease.release(intruder)
    assert lease.owner() == holder and lease.renew(holder, 5)
    assert lease.release(holder) and lease.owner() is None
    assert lease.take(intruder, 0.05)
