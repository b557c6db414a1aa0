"""The back-office dashboard's queues: what waits for a decision, with counts, for the permissions the
actor holds. Why here: the dashboard showed links only, so nobody saw that eleven KYC files were waiting.

Counts are capped (1,000: shown as "1000+") so a large collection never slows the dashboard down more
than one bounded count per queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.data import (
    agent_actions,
    distributions,
    offerings,
    orders,
    payments,
    transfer_requests,
    user_details,
    users,
    whitelists,
)
from app.data.mongo import get_db
from app.domain.accounts.permissions import permissions_of

CAP = 1000


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    endpoint: str  # the page that works the queue
    args: tuple[tuple[str, str], ...] = ()

    @property
    def shown(self) -> str:
        return f"{CAP:,}+" if self.count >= CAP else f"{self.count:,}"


_QUEUES = (
    ("kyc", "KYC applications to review", "review.list_kyc", (), lambda db: user_details.count_submitted(db, CAP)),
    ("issuer_requests", "Issuer applications to decide", "review.list_issuer_requests", (),
     lambda db: users.count_issuer_status(db, "pending", CAP)),
    ("offerings", "Offerings submitted for review", "offering_admin.list_offerings", (("status", "submitted"),),
     lambda db: offerings.count_statuses(db, ("submitted",), CAP)),
    ("whitelist", "Signed whitelisting requests to decide", "whitelist_admin.list_requests", (("status", "signed"),),
     lambda db: whitelists.count_status(db, "signed", CAP)),
    ("orders", "Orders with a payment to check", "orders_admin.list_orders", (("status", "payment_review"),),
     lambda db: orders.count_status(db, "payment_review", CAP)),
    ("orders", "Stablecoin transfers to match or refund", "orders_admin.list_transfers", (),
     lambda db: payments.count_for_review(db, CAP)),
    ("transfers", "Transfer requests to decide", "transfers_admin.list_requests", (("status", "pending"),),
     lambda db: transfer_requests.count_status(db, "pending", CAP)),
    ("transfers", "Agent actions waiting for approval", "enforcement_admin.list_cases",
     (("state", "pending_approval"),), lambda db: agent_actions.count_state(db, "pending_approval", CAP)),
    ("dividends", "Distributions to approve", "distributions_admin.list_distributions", (("status", "declared"),),
     lambda db: distributions.count_status(db, "declared", CAP)),
)


def waiting(actor: dict) -> list[Queue]:
    """The queues the actor may work, each with how many items wait in it."""
    held, db = permissions_of(actor), get_db()
    return [Queue(label, count(db), endpoint, args) for permission, label, endpoint, args, count in _QUEUES
            if permission in held]
