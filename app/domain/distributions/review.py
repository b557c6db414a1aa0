"""Staff with the `dividends` permission decide declared distributions: approve (with an optional remark) or
reject (with the reason the issuer reads).

Each decision is one conditional update from `declared` under the distribution's lock, so approving twice
approves once (the second is told it was decided). A record date already past at approval is refused: the
snapshot could not be taken as declared. On approval the holders known today are told (one mail per holder
per distribution, mailKeys), and the snapshot job is scheduled at the record time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app import locks
from app.data import distributions, holdings, user_details, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.distributions import notices, rules
from app.domain.platform import audit
from app.tasks import distribution_snapshot

log = logging.getLogger(__name__)


class NotFound(errors.NotFound):
    """No such distribution (404)."""


class DecisionRefused(errors.Refused):
    """The distribution cannot be decided as asked (decided already, record date past, no reason)."""


def listing(config: dict, status: str = "") -> list[dict]:
    return distributions.listing(get_db(config), status if status in rules.STATUS_LABELS else "")


def one(config: dict, distribution_id: str) -> dict:
    did = parse_id(distribution_id)
    found = distributions.by_id(get_db(config), did) if did else None
    if found is None:
        raise NotFound(distribution_id)
    return found


def approve(config: dict, actor: dict, distribution_id: str, remark: str = "") -> str:
    return _decide(config, actor, distribution_id, remark, approve=True)


def reject(config: dict, actor: dict, distribution_id: str, reason: str) -> str:
    return _decide(config, actor, distribution_id, reason, approve=False)


def _decide(config: dict, actor: dict, distribution_id: str, remark: str, *, approve: bool) -> str:
    try:
        remark = rules.clean_remark(remark, required=not approve)
    except ValueError as error:
        raise DecisionRefused(str(error), "remark") from None
    found = one(config, distribution_id)
    now = datetime.now(UTC)
    status = rules.APPROVED if approve else rules.REJECTED
    with locks.distribution(found["_id"], config):
        found = one(config, distribution_id)
        if found["status"] != rules.DECLARED:
            raise DecisionRefused(f"This distribution was already decided: {rules.STATUS_LABELS[found['status']]}.")
        refusal = rules.record_refusal_at_approval(_aware(found["recordDate"]), now) if approve else None
        if refusal:
            raise DecisionRefused(refusal)
        changes = ({"status": status, "approvedBy": actor["_id"], "approvedAt": now, "remark": remark} if approve
                   else {"status": status, "rejectedReason": remark, "rejectedBy": actor["_id"], "rejectedAt": now})
        if not distributions.transition(get_db(config), found["_id"], rules.DECLARED, changes):
            raise DecisionRefused("This distribution was decided by someone else just now.")
    audit.record(f"distribution.{status}", actor=actor, details={"distributionId": str(found["_id"]),
                                                                 "offeringId": str(found["offeringId"]),
                                                                 "remark": remark})
    found.update(changes)
    if approve:
        _after_approval(config, found)
    else:
        notices.rejected(config, found)
    log.info("distribution %s %s by %s", found["_id"], status, actor["_id"])
    return status


def _after_approval(config: dict, found: dict) -> None:
    """Schedule the snapshot at the record time, then tell today's holders (the snapshot decides who is paid)."""
    distribution_snapshot.schedule(config, found)
    db = get_db(config)
    wallets = [h["wallet"] for h in holdings.for_token(db, found["tokenAddress"]) if h["balance"] > 0]
    owners = user_details.owners_of(db, wallets)
    people = users.residence_of(db, list(owners.values()))
    notices.declared(config, found, [people[u] for u in set(owners.values()) if u in people])


def _aware(moment: datetime) -> datetime:
    """MongoDB gives naive UTC datetimes back: read them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
