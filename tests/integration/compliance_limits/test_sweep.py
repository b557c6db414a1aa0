"""The minute sweep (app.tasks.compliance_limits.sweep_changes) finishes a compliance limit change whose RQ job was
lost before a worker ran it, on the real stack: one transaction on anvil, the offering's stored setting updated only
once the chain confirmed it; a change just asked for, or whose job still waits, is left alone; a job whose worker was
SIGKILLed is taken up once its timeout has passed; sweeps racing enqueue one job."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from rq.job import Job
from web3 import Web3

from app.chain import compliance as chain_compliance
from app.chain.artifacts import contract
from app.data import chain_jobs
from app.domain.compliance import limits
from app.extensions import redis_client
from app.tasks import compliance_limits as tasks
from app.tasks import queues
from tests.fixtures.chain import kill_group, start_worker
from tests.fixtures.processes import run_jobs, stop_process, wait_for
from tests.integration.compliance_limits.conftest import change, suite

SWEEPS, ROUNDS = 8, 10  # sweeps racing, and how many races


def _lose_job(key: str) -> None:
    """Redis lost the change's job before a worker took it."""
    Job.fetch(tasks.rq_id(key), connection=redis_client.get()).delete()
    assert queues.queue(queues.CHAIN).count == 0


def _stalled_clock() -> datetime:
    return datetime.now(UTC) + limits.STALLED_AFTER + timedelta(seconds=1)


def _cap_events(app, offering: dict) -> list[int]:
    w3, platform, compliance = suite(app, offering)
    module = contract(w3, "InvestorCapModule", platform["investorCapModule"])
    events = module.events.InvestorCapSet().get_logs(from_block=0, argument_filters={
        "compliance": Web3.to_checksum_address(compliance)})
    return [event["args"]["cap"] for event in events]


def _max_investors(db, offering: dict):
    return db.offerings.find_one({"_id": offering["_id"]})["projectDetails"].get("maxInvestors")


def test_a_change_whose_job_was_lost_is_applied_once_by_the_sweep(app, db, staff, held):
    oid, offering = held["oid"], held["offering"]
    assert change(staff, oid, investorCap="7").status_code == 303
    key = f"compliance-limit:{oid}:investorCap:1"
    assert tasks.requeue_stalled(app.config, _stalled_clock()) == []  # its job still waits in the queue
    _lose_job(key)

    assert tasks.sweep_changes() == []  # asked a moment ago: its job may still be on its way
    assert any(j.startswith("compliance-limit-sweep-") for j in queues.queue(queues.DEFAULT)
               .scheduled_job_registry.get_job_ids()), "the sweep schedules its next run"
    later = _stalled_clock()
    assert tasks.requeue_stalled(app.config, later) == [key]
    assert tasks.requeue_stalled(app.config, later) == []  # enqueued: not twice
    assert queues.queue(queues.CHAIN).count == 1
    assert _max_investors(db, offering) is None  # nothing stored before the chain confirms

    run_jobs(queues.CHAIN)
    assert db.complianceLimitChanges.find_one({"_id": key})["status"] == "confirmed"
    w3, platform, compliance = suite(app, offering)
    assert chain_compliance.investor_cap(w3, platform, compliance) == 7
    assert _max_investors(db, offering) == 7
    assert len(chain_jobs.get(db, key)["txs"]) == 1
    assert _cap_events(app, offering) == [0, 7]  # deployment's, then ours once
    assert tasks.requeue_stalled(app.config, _stalled_clock()) == []  # confirmed: nothing left to sweep


def test_sweeps_at_once_enqueue_one_job_and_send_one_transaction(app, db, staff, held):
    oid, offering = held["oid"], held["offering"]
    assert change(staff, oid, investorCap="9").status_code == 303
    key = f"compliance-limit:{oid}:investorCap:1"
    for _ in range(ROUNDS):  # each round Redis lost the job and the last sweep's claim with it
        _lose_job(key)
        redis_client.get().delete(f"lease:compliance-limit-requeue:{key}")
        assert sorted(_race(app, _stalled_clock())) == [[]] * (SWEEPS - 1) + [[key]]
        assert queues.queue(queues.CHAIN).count == 1

    run_jobs(queues.CHAIN)
    assert db.complianceLimitChanges.find_one({"_id": key})["status"] == "confirmed"
    assert len(chain_jobs.get(db, key)["txs"]) == 1
    assert _cap_events(app, offering) == [0, 9]
    assert _max_investors(db, offering) == 9


def test_a_change_whose_worker_was_killed_is_taken_up_once_its_job_timed_out(app, db, services, tmp_path, staff,
                                                                             held):
    oid, offering = held["oid"], held["offering"]
    assert change(staff, oid, investorCap="6").status_code == 303
    key = f"compliance-limit:{oid}:investorCap:1"
    worker = start_worker(services, tmp_path, "limits-killed")
    try:
        _wait_started(key)
    finally:
        kill_group(worker)  # the job stays "started" in RQ: nobody is left to end it
    assert tasks.requeue_stalled(app.config, _stalled_clock()) == []  # started within its timeout: may still run
    timed_out = datetime.now(UTC) + timedelta(seconds=tasks.APPLY_TIMEOUT_S + tasks.SWEEP_EVERY_S + 1)
    assert tasks.requeue_stalled(app.config, timed_out) == [key]

    survivor = start_worker(services, tmp_path, "limits-survivor")
    try:
        wait_for(lambda: db.complianceLimitChanges.find_one({"_id": key})["status"] != "pending", timeout=120,
                 what="the requeued change to finish")
    finally:
        stop_process(survivor)
    assert db.complianceLimitChanges.find_one({"_id": key})["status"] == "confirmed"
    assert len(chain_jobs.get(db, key)["txs"]) == 1
    assert _cap_events(app, offering) == [0, 6]
    assert _max_investors(db, offering) == 6


def _wait_started(key: str, timeout: float = 60) -> None:
    """Poll the change's RQ job until a worker has started it (the kill lands right after)."""
    deadline, job = time.monotonic() + timeout, Job.fetch(tasks.rq_id(key), connection=redis_client.get())
    while time.monotonic() < deadline:
        status = job.get_status(refresh=True)
        if status != "queued":
            assert status == "started", f"the job ended ({status}) before the worker could be killed"
            return
        time.sleep(0.005)
    raise AssertionError(f"no worker started the job of {key} in {timeout} s")


def _race(app, now: datetime) -> list[list[str]]:
    """SWEEPS sweeps started at the same instant; what each enqueued."""
    start, found = threading.Barrier(SWEEPS), []

    def sweep() -> None:
        with app.app_context():
            start.wait(timeout=10)
            found.append(tasks.requeue_stalled(app.config, now))

    threads = [threading.Thread(target=sweep) for _ in range(SWEEPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return found
