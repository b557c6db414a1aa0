"""The `chain` queue's job of a compliance limit change (app.domain.compliance.limits): drive its chain jobs and,
once the chain confirmed the setting, update the offering's stored settings. Safe to run twice: each step is an
exactly-once chain job under the change's natural key, and a closed change is left as it is.

A minute sweep (`sweep_changes`, on `default`, repeating like the enforcement cases' sweep) enqueues again a change
pending longer than limits.STALLED_AFTER whose RQ job is gone: Redis lost it, its worker was killed, its retries ran
out. A job queued, scheduled (a retry waiting) or started within its timeout is left alone; two sweeps at once
enqueue one job, the one that takes the change's requeue claim (a Redis SET NX lasting STALLED_AFTER).
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.domain.compliance import limits
from app.extensions import redis_client
from app.locks import Lease
from app.tasks.queues import CHAIN, CHAIN_RETRY, DEFAULT, job, schedule_next_slot

APPLY_TIMEOUT_S = 600
SWEEP_EVERY_S = 60
_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


@job(CHAIN, timeout=APPLY_TIMEOUT_S, retry=CHAIN_RETRY)
def apply_change(change_id: str) -> str | None:
    """Apply one recorded change; returns its status (confirmed, failed)."""
    return limits.apply(current_app.config, change_id)


def rq_id(change_id: str) -> str:
    """RQ ids allow only letters, digits, '-' and '_': a digest of the natural key."""
    return "compliance-limit-" + hashlib.sha256(change_id.encode()).hexdigest()[:32]


def enqueue(config: dict, change_id: str) -> None:
    apply_change.delay(change_id, job_id=rq_id(change_id), description=f"apply compliance limit change {change_id}",
                       config=config)


def job_alive(config: dict, change_id: str, now: datetime) -> bool:
    """Whether the change's RQ job will still run: waiting, or started within its timeout (the worker stops it
    there, so one started earlier lost its worker)."""
    try:
        found = Job.fetch(rq_id(change_id), connection=redis_client.get(config))
    except NoSuchJobError:
        return False
    status = found.get_status(refresh=False)
    if status == JobStatus.STARTED:
        limit = timedelta(seconds=(found.timeout or APPLY_TIMEOUT_S) + SWEEP_EVERY_S)
        return found.started_at is not None and found.started_at > now - limit
    return status in _WAITING


def requeue_stalled(config: dict, now: datetime) -> list[str]:
    """Enqueue every stalled change whose job is gone, each under its claim; returns the ids enqueued."""
    done, owner = [], uuid.uuid4().hex
    for change_id in limits.stalled(config, now):
        if job_alive(config, change_id, now):
            continue
        claim = Lease(config, f"compliance-limit-requeue:{change_id}")
        if not claim.take(owner, limits.STALLED_AFTER.total_seconds()):
            continue  # another sweep enqueued it a moment ago
        with contextlib.suppress(NoSuchJobError):  # a failed job's record goes: the new one is alone in RQ's registries
            Job.fetch(rq_id(change_id), connection=redis_client.get(config)).delete()
        enqueue(config, change_id)
        done.append(change_id)
    return done


@job(DEFAULT, timeout=300, result_ttl=SWEEP_EVERY_S)
def sweep_changes() -> list[str]:
    """Enqueue the stalled changes whose job was lost, then schedule the next run."""
    try:
        return requeue_stalled(current_app.config, datetime.now(UTC))
    finally:
        ensure_scheduled(current_app.config)


def ensure_scheduled(config: dict) -> str:
    """Schedule the sweep for the next minute's slot (one job per slot, whoever asks), as the enforcement sweep."""
    return schedule_next_slot(sweep_changes, "compliance-limit-sweep", SWEEP_EVERY_S,
                              "enqueue compliance limit changes whose job was lost", config)
