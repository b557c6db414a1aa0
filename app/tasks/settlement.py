"""Jobs settlement enqueues on the `chain` queue: mint an offering's settled orders.

Why a job per offering rather than per order: each run claims every settled order not yet
claimed and puts them in batchMint jobs (app/domain/orders/minting.py), so orders settled close
together are minted in one transaction. Running it twice, or after a killed worker, claims
nothing twice. `flask chain requeue` enqueues it again for every offering still holding
settled, unclaimed orders (after an outage or a killed worker).
"""

from __future__ import annotations

from bson import ObjectId
from flask import current_app

from app.data import order_payments
from app.data.mongo import get_db
from app.domain.orders import minting
from app.tasks.queues import CHAIN, CHAIN_RETRY, job


@job(CHAIN, timeout=600, result_ttl=600, retry=CHAIN_RETRY)
def mint_settled_orders(offering_id: str) -> list[str]:
    """Claim the offering's settled orders into mint jobs and enqueue them; returns the job ids."""
    return minting.mint_ready_orders(current_app.config, ObjectId(offering_id))


def enqueue_minting(config: dict, offering_id) -> None:
    mint_settled_orders.delay(str(offering_id), job_id=f"mint-settled-{offering_id}",
                              description=f"mint settled orders of offering {offering_id}", config=config)


def requeue_minting(config: dict) -> list:
    """Enqueue minting for every offering with settled orders no mint job has claimed; returns those offerings."""
    offering_ids = order_payments.offerings_with_settled_unminted(get_db(config))
    for offering_id in offering_ids:
        enqueue_minting(config, offering_id)
    return offering_ids
