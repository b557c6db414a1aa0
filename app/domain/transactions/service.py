"""The transactions record for staff: chain jobs page by page, the failed ones, their retry and resolution.

A mint's retry is the mint recovery's (app.domain.orders.mint_recovery.retry_job): only a failed mint job's
held orders are minted again, in one new job, each claim moved once, so a retry (or a double click) never
mints twice. The other kinds in rules.RETRYABLE are sent again by app.domain.transactions.retries after the
chain shows they did not happen; any other kind says it is not sent again and is resolved by hand.
A resolution needs a reason and is audit-logged with the actor.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from app import locks
from app.data import chain_jobs, mint_claims, reporting
from app.data.mongo import get_db
from app.domain import errors
from app.domain.orders import mint_recovery
from app.domain.platform import audit
from app.domain.transactions import retries, rules
from app.domain.transactions.rules import Filters

EXPORT_LIMIT = 10_000


class NoSuchJob(errors.NotFound):
    """No chain job with that id."""


def page(filters: Filters, after: str | None = None, limit: int = rules.PAGE_SIZE) -> dict:
    """One page of the record (newest first) and the cursor of the next page (None on the last)."""
    found = reporting.chain_jobs_page(get_db(), rules.query_of(filters), rules.parse_cursor(after), limit + 1)
    rows = [rules.row_of(job) for job in found[:limit]]
    return {"rows": rows, "next": rules.cursor_of(found[limit - 1]) if len(found) > limit else None,
            "filters": filters, "purposes": rules.PURPOSES, "states": rules.STATES}


def all_rows(filters: Filters) -> list[dict]:
    """Every row matching `filters` (up to EXPORT_LIMIT), walked page by page on the same keyset."""
    rows, after = [], None
    while len(rows) < EXPORT_LIMIT:
        found = reporting.chain_jobs_page(get_db(), rules.query_of(filters), rules.parse_cursor(after), 500)
        rows += [rules.row_of(job) for job in found]
        if len(found) < 500:
            break
        after = rules.cursor_of(found[-1])
    return rows[:EXPORT_LIMIT]


def failed() -> list[dict]:
    """Failed chain jobs still needing staff, newest first (rules.needs_attention): a mint job only while one of
    its held orders is still claimed by it (an order retried from its own page left it)."""
    db = get_db()
    query = {"status": chain_jobs.FAILED, "resolvedAt": {"$exists": False}}
    waiting = [job for job in reporting.chain_jobs_page(db, query, None, 500) if rules.needs_attention(job)]
    held = [o for job in waiting for o in job.get("heldOrders") or []]
    claims = mint_claims.jobs_of(db, held)
    return [rules.row_of(job) for job in waiting
            if not job.get("heldOrders") or any(claims.get(o) == job["_id"] for o in job["heldOrders"])]


def retry(actor: dict, job_id: str) -> str:
    """Send a failed job again once (rules.RETRYABLE kinds); returns what staff are told (Refused otherwise)."""
    job = chain_jobs.get(get_db(), job_id)
    if job is None:
        raise NoSuchJob(job_id)
    if job.get("op") != "mint":
        return retries.retry(current_app.config, actor, job_id)
    if job.get("resolvedAt"):
        raise errors.Refused("This job was resolved by hand; it is not retried.")
    new_id = mint_recovery.retry_job(current_app.config, job_id)
    audit.record("chain_job.retried", actor=actor, details={"jobId": job_id, "retryJobId": new_id,
                                                            "orderIds": [str(o) for o in job.get("heldOrders") or []]})
    return f"Mint sent again as job {new_id}."


def resolve(actor: dict, job_id: str, reason: str) -> None:
    """Close a failed job by hand (staff dealt with it outside the platform), with the reason; audit-logged."""
    db = get_db()
    with locks.mint_job(job_id):  # the failed job's lock: the mint recovery's retry takes it too
        job = chain_jobs.get(db, job_id)
        if job is None:
            raise NoSuchJob(job_id)
        refusal = rules.resolution_refusal(job, reason)
        if refusal:
            raise errors.Refused(refusal)
        chain_jobs.note(db, job_id, resolvedAt=datetime.now(UTC), resolvedReason=reason.strip(),
                        resolvedBy=actor["_id"], resolvedByEmail=actor.get("email"))
    audit.record("chain_job.resolved", actor=actor, details={"jobId": job_id, "reason": reason.strip(),
                                                             "op": job.get("op")})
