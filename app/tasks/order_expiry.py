"""The periodic sweep of unpaid orders (app.domain.orders.expiry) on the `default` queue.

How it repeats: each run schedules the next one with `enqueue_in` (the RQ workers run with
their scheduler), under an id naming its time slot, so any number of workers starting or
finishing a run schedule one job per slot. A worker starting up schedules the next slot too
(`ensure_scheduled`), which restarts the chain after Redis lost it. No thread in web workers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from app.domain.orders import expiry as order_expiry
from app.tasks.queues import DEFAULT, job, schedule_next_slot

EVERY_S = 300


@job(DEFAULT, timeout=600, result_ttl=EVERY_S)
def sweep_unpaid_orders() -> dict:
    """Remind and expire unpaid orders as of now, then schedule the next run."""
    try:
        done = order_expiry.sweep(current_app.config, datetime.now(UTC))
    finally:
        ensure_scheduled(current_app.config)
    return {name: [str(i) for i in ids] for name, ids in done.items()}


def ensure_scheduled(config: dict) -> str:
    """Schedule the sweep for the next slot (one job per slot, whoever asks); returns its RQ id."""
    return schedule_next_slot(sweep_unpaid_orders, "order-expiry", EVERY_S,
                              "expire unpaid orders, remind before", config)
