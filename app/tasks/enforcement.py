"""Jobs of the `chain` queue for enforcement cases; safe to run twice (app.domain.enforcement.execution).

A case approved without a time lock is enqueued at once; a time-locked one is scheduled for the end of its
lock (the workers run RQ's scheduler), and the job then finds it due, or cancelled and does nothing.
`flask chain requeue` enqueues every unfinished case again after an outage or a killed worker.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import current_app

from app.domain.enforcement import execution
from app.domain.enforcement.rules import APPROVED, TIME_LOCKED
from app.tasks.queues import CHAIN, CHAIN_RETRY, DEFAULT, job, schedule_next_slot

SWEEP_EVERY_S = 60


@job(CHAIN, timeout=600, retry=CHAIN_RETRY)
def execute_case(case_id: str) -> str | None:
    """Execute an approved (or due time-locked) case on chain, once; returns its state."""
    state = execution.execute(current_app.config, case_id)
    if state == TIME_LOCKED:  # run a moment before the lock's end (clocks differ): come back at its end
        end = execution.lock_end(current_app.config, case_id)
        if end is not None and end > datetime.now(UTC):
            execute_case.delay(case_id, job_id=f"agent-action-{case_id}-due-{time.time_ns()}",
                               description=f"execute agent action {case_id} at the end of its time lock",
                               at=end, config=current_app.config)
    return state


def enqueue(config: dict, case: dict) -> None:
    """Run the case's execution now, or at the end of its time lock."""
    case_id, attempt = str(case["_id"]), int(case.get("attempt") or 1)
    at = case.get("executeAfter") if case.get("state") == TIME_LOCKED else None
    execute_case.delay(case_id, job_id=f"agent-action-{case_id}-{attempt}{'-due' if at else ''}",
                       description=f"execute agent action {case_id} (attempt {attempt})", at=at, config=config)


@job(DEFAULT, timeout=300, result_ttl=SWEEP_EVERY_S)
def sweep_cases() -> list[str]:
    """Enqueue the cases due or stalled (app.domain.enforcement.execution.to_run), then schedule the next run."""
    try:
        picked = execution.to_run(current_app.config, datetime.now(UTC))
        for case in picked:  # a due time-locked case runs now: its job releases it
            enqueue(current_app.config, {**case, "state": APPROVED})
        return [str(case["_id"]) for case in picked]
    finally:
        ensure_scheduled(current_app.config)


def ensure_scheduled(config: dict) -> str:
    """Schedule the sweep for the next minute's slot (one job per slot, whoever asks), as the order-expiry sweep."""
    return schedule_next_slot(sweep_cases, "agent-action-sweep", SWEEP_EVERY_S,
                              "run agent action cases due or stalled", config)
