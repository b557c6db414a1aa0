"""The periodic sweep opening tokens whose offering's settings say they are due (app.domain.offerings.opening).

It repeats like the order-expiry sweep (app.tasks.order_expiry): each run schedules the next slot under an id
naming it, so any number of workers schedule one job per slot, and a worker starting up schedules the next
slot too. Two sweeps running at once start one unpause job per offering: the job's natural key and the
offering's lock decide it, not the schedule.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from app.domain.offerings import opening
from app.tasks.queues import DEFAULT, job, schedule_next_slot

EVERY_S = 60  # an opening "at a date" happens within a minute of it


@job(DEFAULT, timeout=600, result_ttl=EVERY_S)
def sweep_token_openings() -> list[str]:
    """Open the tokens due now, then schedule the next run; returns the unpause jobs started."""
    try:
        return opening.sweep(current_app.config, datetime.now(UTC))
    finally:
        ensure_scheduled(current_app.config)


def ensure_scheduled(config: dict) -> str:
    """Schedule the sweep for the next slot (one job per slot, whoever asks); returns its RQ id."""
    return schedule_next_slot(sweep_token_openings, "token-opening", EVERY_S,
                              "open tokens whose opening is due", config)
