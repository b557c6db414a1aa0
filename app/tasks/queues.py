"""The RQ queues, named once, and `@job`, the declaration every job function carries (Redash's `@job("default")`).

The worker (`flask worker`, the Procfile's `worker`) listens on `QUEUES` in this order, which
is its priority: RQ takes the next job from the first queue that has one, so a KYC or
e-signature webhook is applied before a backlog of chain work, and mail before the sweep.

A job states its queue and the settings every enqueue of it shares; the caller gives what
differs per call (RQ's job id, a description, a time to run at) and, where it runs outside a
request (chain-sync, CLI commands, workers), the config naming the Redis to use:

    @job(CHAIN, timeout=600, retry=Retry(max=5, interval=[5, 30]))
    def register_investor(whitelist_id: str) -> str | None: ...

    esign_jobs.register_investor.delay(str(whitelist_id), job_id=f"whitelist-register-{whitelist_id}")

`job` returns the function itself (with `delay`, `delay_many` and `queue_name` added), so RQ
stores it under its import path (`app.tasks.esign.register_investor`) and the worker imports
it from there; calling it directly still runs it in the caller's process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from rq import Queue, Retry
from rq.job import Job

from app.extensions import redis_client

KYC, ESIGN, CHAIN, MAIL, DEFAULT = "kyc", "esign", "chain", "mail", "default"
QUEUES = (KYC, ESIGN, CHAIN, MAIL, DEFAULT)  # the worker's priority order
RESULT_TTL_S = 3600
FAILURE_TTL_S = 7 * 86400  # a failed job stays a week for `rq info` and a requeue
# A chain job that raised (node or database unreachable, lease lost) runs again by itself; its
# record makes every rerun safe. After the last retry `flask chain requeue` takes over.
CHAIN_RETRY = Retry(max=8, interval=[1, 2, 5, 10, 30, 60, 120, 300])


class Delayed(NamedTuple):
    """One call of a batch enqueued in one Redis round trip (`fn.delay_many`)."""

    args: tuple
    job_id: str | None = None
    description: str | None = None


def queue(name: str, config: dict | None = None) -> Queue:
    """The RQ queue `name` on the app's Redis (`config`'s, else current_app's): the one place a Queue is built."""
    return Queue(name, connection=redis_client.get(config))


def job(queue_name: str, *, timeout: int, result_ttl: int = RESULT_TTL_S, failure_ttl: int = FAILURE_TTL_S,
        retry: Retry | None = None) -> Callable[[Callable], Callable]:
    """Declare an RQ job function on `queue_name` with the settings each of its enqueues uses."""
    if queue_name not in QUEUES:
        raise ValueError(f"unknown queue {queue_name!r}; declared: {', '.join(QUEUES)}")
    options = {"result_ttl": result_ttl, "failure_ttl": failure_ttl, "retry": retry}

    def declare(fn: Callable) -> Callable:
        def delay(*args, job_id: str | None = None, description: str | None = None, at: datetime | None = None,
                  config: dict | None = None) -> Job:
            """Enqueue `fn(*args)` now, or at `at` (run by a worker's scheduler)."""
            target = queue(queue_name, config)
            call = {"args": args, "job_id": job_id, "description": description, "job_timeout": timeout, **options}
            return target.enqueue(fn, **call) if at is None else target.enqueue_at(at, fn, **call)

        def delay_many(calls: Iterable[Delayed], config: dict | None = None) -> list[Job]:
            """Enqueue several calls of `fn` in one Redis round trip."""
            prepared = [Queue.prepare_data(fn, c.args, job_id=c.job_id, description=c.description, timeout=timeout,
                                           **options) for c in calls]
            return queue(queue_name, config).enqueue_many(prepared) if prepared else []

        fn.queue_name, fn.delay, fn.delay_many = queue_name, delay, delay_many
        return fn

    return declare


def schedule_next_slot(task, name: str, every_s: int, description: str, config: dict) -> str:
    """Schedule a periodic `task` for the start of the next `every_s`-second slot under the RQ id `name-<slot>`:
    whoever asks (the job itself when it ends, a worker starting, a test), one job runs per slot."""
    slot = int(time.time()) // every_s + 1
    job_id = f"{name}-{slot}"
    task.delay(job_id=job_id, description=description, at=datetime.fromtimestamp(slot * every_s, UTC), config=config)
    return job_id
