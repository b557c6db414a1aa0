"""Jobs of the `chain` queue: every transaction from the platform's hot wallet goes through here.

Why a queue: web requests never wait for a receipt (DESIGN.md); the job reloads its intent
from `chainJobs` by id, so enqueueing it twice, or again after a worker was killed, is safe.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from rq import Queue, Retry

from app.data.chain_jobs import FAILED
from app.domain.platform import chain_jobs
from app.extensions import redis_client

QUEUE = "chain"
JOB_TIMEOUT_S = 600
# A job that raised (node or database unreachable, lease lost) runs again by itself; the
# record makes every rerun safe. After the last retry `flask chain requeue` takes over.
RETRIES, RETRY_INTERVALS_S = 8, [1, 2, 5, 10, 30, 60, 120, 300]


# Named, not imported: app.domain.orders.mint_recovery enqueues its jobs through this module.
RECOVER_MINT = "app.tasks.minting.recover_failed_mint"


def run_chain_job(job_id: str) -> str:
    """Drive one recorded chain job to done or failed; returns its status. A failed mint is recovered next."""
    job = chain_jobs.execute(current_app.config, job_id)
    if job["status"] == FAILED and job.get("orderIds"):
        Queue(QUEUE, connection=redis_client.get(current_app.config)).enqueue(
            RECOVER_MINT, job_id, job_id="recover-" + rq_job_id(job_id), job_timeout=JOB_TIMEOUT_S,
            result_ttl=3600, failure_ttl=7 * 86400, description=f"recover failed mint job {job_id}",
            retry=Retry(max=RETRIES, interval=RETRY_INTERVALS_S))
    return job["status"]


def rq_job_id(job_id: str) -> str:
    """RQ ids allow only letters, digits, '-' and '_': a digest of the natural key."""
    return "chain-" + hashlib.sha256(job_id.encode()).hexdigest()


def enqueue(config: dict, job_id: str) -> None:
    enqueue_many(config, [job_id])


def enqueue_many(config: dict, job_ids: list[str]) -> None:
    """Enqueue recorded chain jobs in one Redis round trip (a batch of mints is enqueued at once)."""
    if not job_ids:
        return
    queue = Queue(QUEUE, connection=redis_client.get(config))
    queue.enqueue_many([
        Queue.prepare_data(run_chain_job, (job_id,), job_id=rq_job_id(job_id), timeout=JOB_TIMEOUT_S,
                           result_ttl=3600, failure_ttl=7 * 86400, description=f"chain job {job_id}",
                           retry=Retry(max=RETRIES, interval=RETRY_INTERVALS_S))
        for job_id in job_ids])
