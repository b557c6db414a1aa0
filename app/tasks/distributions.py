"""Stablecoin payouts as RQ jobs on the `default` queue (app.domain.distributions.payout).

Ways in, all safe to repeat (`payout.advance` is idempotent): the payment date (scheduled by `schedule`, one job
per distribution), a periodic sweep every minute over snapshotted and paying distributions (a lost scheduled job,
a failed batch to retry, a crash to repair) and over any with a line held for a frozen wallet (paid once the
wallet is unfrozen: app/domain/distributions/repay.py), a failed payout chain job (app/tasks/chain.py), and staff
paying a held or reorged line again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from rq import Retry

from app import locks
from app.data import distributions, dividends
from app.data.mongo import get_db
from app.domain.distributions import payout, repay, rules, unclaimed
from app.tasks.queues import DEFAULT, job, schedule_next_slot

EVERY_S = 60


@job(DEFAULT, timeout=1800, retry=Retry(max=5, interval=[5, 10, 30, 60, 120]))
def pay_distribution(distribution_id: str) -> str:
    """Advance one payout, after putting back the lines held for a wallet frozen then and unfrozen now; a refusal
    (treasury short, not approved) is kept on the distribution for staff."""
    try:
        repay.release_unfrozen(current_app.config, distribution_id)
        jobs = payout.advance(current_app.config, distribution_id)
    except payout.PayoutRefused as refusal:
        payout.refuse(current_app.config, distribution_id, str(refusal))
        return f"refused: {refusal}"
    return f"{len(jobs)} payout jobs open"


@job(DEFAULT, timeout=1800, retry=Retry(max=5, interval=[5, 10, 30, 60, 120]))
def mark_scheduled(distribution_id: str) -> int:
    """The lines of the payout's batches become "scheduled" (bookkeeping after the chain jobs are enqueued)."""
    return payout.mark_scheduled(current_app.config, distribution_id)


@job(DEFAULT, timeout=1800, result_ttl=EVERY_S)
def sweep_payouts() -> list[str]:
    """Advance every stablecoin payout that is due or under way, report unclaimed lines past their period (once),
    then schedule the next run."""
    try:
        done = [f"{distribution_id}: {_pay_unless_busy(distribution_id)}"
                for distribution_id in due(current_app.config, datetime.now(UTC))]
        done += [f"{distribution_id}: unclaimed lines reported" for distribution_id in
                 unclaimed.report_due(current_app.config)]
        return done
    finally:
        ensure_scheduled(current_app.config)


def _pay_unless_busy(distribution_id) -> str:
    """One distribution of the sweep; one whose lock chain-sync holds waits for the next run, the others go on."""
    try:
        return pay_distribution(str(distribution_id))
    except locks.Busy:
        return "busy: next run"


def due(config: dict, now: datetime) -> list:
    db = get_db(config)
    found = []
    for status in (rules.SNAPSHOTTED, rules.PAYING):
        for dist in distributions.with_status(db, status):
            payment = dist["paymentDate"] if dist["paymentDate"].tzinfo else dist["paymentDate"].replace(tzinfo=UTC)
            if dist.get("paymentMethod") == "stablecoin" and (status == rules.PAYING or payment <= now):
                found.append(dist["_id"])
    # paid ones too while a line is held for a frozen wallet: it is paid once the wallet is unfrozen (repay.py)
    found += [d for d in dividends.distributions_held(db, repay.FROZEN_REASONS) if d not in found]
    return found


def schedule(config: dict, distribution: dict) -> str:
    """Start the payout at the payment date (one job per distribution, whoever asks); now if that has passed."""
    payment = distribution["paymentDate"]
    payment = payment if payment.tzinfo else payment.replace(tzinfo=UTC)
    job_id = f"distribution-payout-{distribution['_id']}"
    pay_distribution.delay(str(distribution["_id"]), job_id=job_id, config=config,
                           at=payment if payment > datetime.now(UTC) else None,
                           description=f"stablecoin payout of distribution {distribution['_id']}")
    return job_id


def after_failed_batch(config: dict, distribution_id) -> None:
    """A payout batch failed on chain: its unpaid lines go to a new batch now rather than at the next sweep."""
    pay_distribution.delay(str(distribution_id), config=config,
                           description=f"retry the unpaid lines of distribution {distribution_id}")


def ensure_scheduled(config: dict) -> str:
    return schedule_next_slot(sweep_payouts, "payout-sweep", EVERY_S, "stablecoin payouts due or under way", config)
