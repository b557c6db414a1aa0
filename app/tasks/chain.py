"""Jobs of the `chain` queue: every transaction from the platform's hot wallet goes through here.

Why a queue: web requests never wait for a receipt (DESIGN.md); the job reloads its intent
from `chainJobs` by id, so enqueueing it twice, or again after a worker was killed, is safe.
"""

from __future__ import annotations

import hashlib

from flask import current_app

from app.data.chain_jobs import FAILED
from app.domain.platform import chain_jobs
from app.tasks import minting as minting_jobs
from app.tasks.queues import CHAIN, CHAIN_RETRY, Delayed, job


@job(CHAIN, timeout=600, retry=CHAIN_RETRY)
def run_chain_job(job_id: str) -> str:
    """Drive one recorded chain job to done or failed; returns its status. A failed mint is recovered next."""
    job = chain_jobs.execute(current_app.config, job_id)
    if job["status"] == FAILED and job.get("orderIds"):
        minting_jobs.recover_failed_mint.delay(job_id, job_id="recover-" + rq_job_id(job_id),
                                               description=f"recover failed mint job {job_id}",
                                               config=current_app.config)
    if job["status"] == FAILED and job.get("op") == "distribute":
        from app.tasks import distributions as distribution_tasks  # late: it imports the payout, which imports us
        distribution_tasks.after_failed_batch(current_app.config, job["distributionId"])
    return job["status"]


def rq_job_id(job_id: str) -> str:
    """RQ ids allow only letters, digits, '-' and '_': a digest of the natural key."""
    return "chain-" + hashlib.sha256(job_id.encode()).hexdigest()


def enqueue(config: dict, job_id: str) -> None:
    enqueue_many(config, [job_id])


def enqueue_many(config: dict, job_ids: list[str]) -> None:
    """Enqueue recorded chain jobs in one Redis round trip (a batch of mints is enqueued at once)."""
    run_chain_job.delay_many([Delayed((job_id,), rq_job_id(job_id), f"chain job {job_id}") for job_id in job_ids],
                             config=config)
