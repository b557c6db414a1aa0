"""The record-date snapshot as RQ jobs on the `default` queue (app.domain.distributions.snapshot).

Two ways in, both safe to repeat: approval schedules `take_snapshot` at the record time plus a few seconds
(RQ's scheduler, under an id naming the distribution, so approving twice schedules once), and a periodic
sweep every minute takes any approved distribution whose record time has passed (Redis lost the scheduled
job, chain-sync was behind). The sweep repeats like the order expiry sweep: each run schedules the next slot.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from bson import ObjectId
from flask import current_app
from rq import Retry

from app.domain.distributions import snapshot
from app.tasks.queues import DEFAULT, job, schedule_next_slot

EVERY_S = 60
AFTER_RECORD = timedelta(seconds=3)  # a block stamped at the record second may still be mined just after it


@job(DEFAULT, timeout=1800, retry=Retry(max=10, interval=[5, 10, 30, 60, 120]))
def take_snapshot(distribution_id: str) -> str:
    """Fix one distribution's holders; NotReady (chain-sync behind) raises, and RQ runs it again."""
    return snapshot.take(current_app.config, ObjectId(distribution_id))


@job(DEFAULT, timeout=1800, result_ttl=EVERY_S)
def sweep_record_dates() -> list[str]:
    """Snapshot every approved distribution whose record time has passed, then schedule the next run."""
    try:
        done = []
        for distribution_id in snapshot.due(current_app.config):
            try:
                done.append(f"{distribution_id}:{take_snapshot(distribution_id)}")
            except snapshot.NotReady as why:
                done.append(f"{distribution_id}:not ready ({why})")
        return done
    finally:
        ensure_scheduled(current_app.config)


def schedule(config: dict, distribution: dict) -> str:
    """Run the snapshot just after the record time (one job per distribution, whoever asks)."""
    record = distribution["recordDate"]
    record = record if record.tzinfo else record.replace(tzinfo=UTC)
    job_id = f"distribution-snapshot-{distribution['_id']}"
    take_snapshot.delay(str(distribution["_id"]), job_id=job_id, at=record + AFTER_RECORD, config=config,
                        description=f"record-date snapshot of distribution {distribution['_id']}")
    return job_id


def ensure_scheduled(config: dict) -> str:
    return schedule_next_slot(sweep_record_dates, "distribution-sweep", EVERY_S, "record-date snapshots due", config)
