"""The minute sweep (app.tasks.enforcement.sweep_cases) picks up what nothing else would: a time-locked case whose
scheduled job Redis lost, and a case left executing by a killed worker; a case not due yet stays waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq import Queue

from app.data import agent_actions
from app.data.ids import parse_id
from app.extensions import redis_client
from app.tasks import enforcement as enforcement_jobs
from tests.fixtures.processes import run_jobs
from tests.integration.enforcement.conftest import TOKEN, case_id_of, decide, make_case, staff


def test_the_sweep_runs_due_and_stalled_cases_once(app, db, book):
    offering, token, b = book["offering"], book["token"], book["b"]["account"].address
    maker, checker = staff(app), staff(app)
    supply = token.functions.totalSupply().call()
    due, later, stalled = (case_id_of(make_case(maker, offering, "burn", wallet=b, amount="1", time_lock_hours=h))
                           for h in ("1", "5", ""))
    for cid in (due, later, stalled):
        assert decide(checker, cid, "approve").status_code == 303
    chain = Queue("chain", connection=redis_client.get())
    chain.empty()  # the stalled case's job lost with its worker
    for job_id in chain.scheduled_job_registry.get_job_ids():  # Redis lost the time locks' scheduled jobs
        chain.scheduled_job_registry.remove(job_id)
    past = datetime.now(UTC) - timedelta(minutes=11)
    db.agentActions.update_one({"_id": parse_id(due)}, {"$set": {"executeAfter": past}})  # its hour has passed
    db.agentActions.update_one({"_id": parse_id(stalled)}, {"$set": {"state": "executing", "executingAt": past}})

    picked = enforcement_jobs.sweep_cases()
    assert sorted(picked) == sorted([due, stalled])
    assert any(j.startswith("agent-action-sweep-") for j in Queue("default", connection=redis_client.get())
               .scheduled_job_registry.get_job_ids()), "the sweep schedules its next run"
    run_jobs("chain")
    enforcement_jobs.sweep_cases()  # nothing left to pick but the case still locked
    run_jobs("chain")
    states = [agent_actions.by_id(db, parse_id(c))["state"] for c in (due, later, stalled)]
    assert states == ["executed", "time_locked", "executed"]
    assert token.functions.totalSupply().call() == supply - 2 * TOKEN
