"""The System page's history (app.metrics.history): one sample of the headline figures per minute.

How it repeats: as the order-expiry sweep does (app/tasks/order_expiry.py): each run schedules the
next slot under an id naming it, so any number of workers schedule one job per slot, and a worker
starting up schedules the next one. Sampling runs in the worker, which reads the web instances'
request counters from the shared PROMETHEUS_MULTIPROC_DIR that `make run` gives every process.
"""

from __future__ import annotations

import time

from flask import current_app

from app.extensions import redis_client
from app.metrics import history
from app.metrics.exposition import snapshot
from app.tasks.queues import DEFAULT, job, schedule_next_slot

EVERY_S = history.SAMPLE_S


@job(DEFAULT, timeout=60, result_ttl=EVERY_S)
def sample_metrics() -> bool:
    """Keep this minute's sample of the headline figures, then schedule the next run."""
    try:
        return history.record(redis_client.get(current_app.config), snapshot(current_app.config), time.time())
    finally:
        ensure_scheduled(current_app.config)


def ensure_scheduled(config: dict) -> str:
    return schedule_next_slot(sample_metrics, "metrics-history", EVERY_S, "sample the System page's figures", config)
