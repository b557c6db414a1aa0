"""Opening a token after its sale: staff close the raise and unpause the token, by hand or as the offering's
settings say (when the raise closes, or at a date), and the holders learn it by mail.

- Closing the raise is one conditional state change (live -> closed: the marketplace lists it closed and
  placement refuses new orders, app.domain.orders.rules.check_window); the orders still waiting for their
  payment are cancelled through ordering's own cancellation (their reservation released, the investor mailed;
  a payment arriving later is kept unmatched for a refund, as after an expiry).
- Opening is one exactly-once chain job under the natural key `unpause:<offering id>` (a retry after a failed
  job: `unpause:<offering id>:<attempt>`), recorded by a unique insert and decided under the offering's lock, so
  two clicks or two sweeps racing start one job. The job's success is not the opening: the token is open once
  chain-sync folded its Unpaused event (`chainTokens.paused` false, mirrored as `offerings.tokenPaused`), and
  then `token_opened` (called by chain-sync) notes `tokenOpenedAt` and mails each holder once (mailKeys).
- `sweep(config, now)` opens every token whose setting says it is due; a refusal (orders awaiting their mint)
  leaves it for the next sweep. It also notes an opening chain-sync saw but did not note (mailing once).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bson import ObjectId
from flask import current_app

from app import locks
from app.data import chain_jobs, chain_tokens, holdings, offerings, orders, user_details, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.offerings import opening_rules as rules
from app.domain.offerings.review import Conflict, offering_for_review
from app.domain.offerings.service import offering_changed
from app.domain.orders import placement as ordering
from app.domain.orders.rules import Refusal
from app.domain.platform import audit, chain_ops
from app.domain.platform.notifications import send_email
from app.domain.transfers import standing

log = logging.getLogger(__name__)

CLOSE_REASON = "the raise closed before your payment arrived"


class SettingsInvalid(errors.Refused):
    """The opening setting's form has errors (`errors` by field)."""

    def __init__(self, found: dict):
        super().__init__(" ".join(found.values()), next(iter(found)))
        self.errors = found


def job_id(offering_id: str, attempt: int) -> str:
    return f"unpause:{offering_id}" if attempt <= 1 else f"unpause:{offering_id}:{attempt}"


def facts(db, doc: dict) -> rules.Facts:
    token = doc.get("tokenAddress")
    state = chain_tokens.load(db, token) if token else None
    job = chain_jobs.get(db, doc["tokenOpenJobId"]) if doc.get("tokenOpenJobId") else None
    return rules.Facts(status=doc.get("status", ""), token=token, paused=None if state is None else state["paused"],
                       awaiting_mint=orders.count_awaiting_mint(db, doc["_id"]),
                       job_status=job["status"] if job else None, opened_before=bool(doc.get("tokenOpenedAt")))


def progress_of(doc: dict) -> dict:
    """What the staff page and its live fragment show: the stage, the job, and what would refuse opening."""
    db = get_db()
    found = facts(db, doc)
    job = chain_jobs.get(db, doc["tokenOpenJobId"]) if doc.get("tokenOpenJobId") else None
    return {"stage": rules.stage(found), "refusal": rules.refusal(found), "awaiting_mint": found.awaiting_mint,
            "job": job and {"id": job["_id"], "status": job["status"], "txHash": job.get("txHash"),
                            "error": job.get("error")},
            "setting": (doc.get("projectDetails") or {}).get("tokenOpening") or rules.MANUAL,
            "opens_at": rules.opens_at(doc), "raise_closed_at": doc.get("raiseClosedAt"),
            "opened_at": doc.get("tokenOpenedAt"), "status": doc.get("status")}


def progress(actor: dict, offering_id: str) -> dict:
    return progress_of(offering_for_review(actor, offering_id))


def save_settings(actor: dict, offering_id: str, form: dict, now: datetime | None = None) -> dict:
    """Store when the token opens; raises SettingsInvalid (errors by field) for a bad choice or a past date."""
    doc = offering_for_review(actor, offering_id)
    if doc.get("tokenOpenedAt"):
        raise Conflict("The token is open already: there is nothing left to schedule.")
    changes, found = rules.parse_settings(form.get("tokenOpening"), form.get("tokenOpensAt"), now or datetime.now(UTC))
    if found:
        raise SettingsInvalid(found)
    with locks.offering(doc["_id"]):
        updated = offerings.set_fields(get_db(), doc["_id"], changes)
    audit.record("offering.opening_scheduled", actor=actor,
                 details={"offeringId": offering_id, "setting": changes["projectDetails.tokenOpening"] or "manual",
                          "opensAt": (at.isoformat() if (at := changes["projectDetails.tokenOpensAt"]) else None)})
    offering_changed(offering_id)
    return updated


def close_raise(actor: dict, offering_id: str) -> str:
    """Close the raise (no new orders), cancel the unpaid orders, and open the token if its setting says so;
    returns what the staff member reads."""
    doc = offering_for_review(actor, offering_id)
    if doc["status"] != "live":
        raise Conflict("Only a live offering's raise can be closed; this one is "
                       f"{'closed already' if doc['status'] == 'closed' else doc['status'].replace('_', ' ')}.")
    with locks.offering(doc["_id"]):
        updated = offerings.transition(get_db(), doc["_id"], ("live",), {
            "status": "closed", "raiseClosedAt": datetime.now(UTC), "raiseClosedBy": actor["_id"]})
    if updated is None:
        raise Conflict("Someone closed this raise already; reload the page.")
    offering_changed(offering_id)
    cancelled = _cancel_unpaid(current_app.config, actor, updated)
    audit.record("offering.raise_closed", actor=actor,
                 details={"offeringId": offering_id, "cancelledOrders": cancelled})
    said = f"Raise closed; {cancelled} unpaid order{'s' if cancelled != 1 else ''} cancelled."
    if (updated.get("projectDetails") or {}).get("tokenOpening") == rules.OPEN_AT_CLOSE:
        try:
            open_token(current_app.config, offering_id, actor)
            said += " Opening the token, as its settings say."
        except errors.Refused as refused:
            said += f" The token is not opened yet: {refused} It opens as soon as it can."
    return said


def _cancel_unpaid(config: dict, actor: dict, offering: dict) -> int:
    cancelled = 0
    for order in orders.unpaid_of_offering(get_db(config), offering["_id"]):
        try:
            ordering.cancel_for_staff(config, order, actor["_id"], CLOSE_REASON)
        except (Refusal, locks.Busy) as refused:  # paid meanwhile: the payment wins, the order mints
            log.info("order %s not cancelled at close: %s", order["_id"], refused)
            continue
        cancelled += 1
        investor = users.by_id(get_db(config), order["userId"])
        if investor and investor.get("email"):
            send_email(investor["email"], "Libertum: Your order was cancelled", "order_cancelled",
                       {"reference": order["paymentReference"], "reason": CLOSE_REASON,
                        "offering_title": order.get("offeringTitle") or "an offering"}, investor["_id"],
                       key=f"order-cancelled-at-close:{order['_id']}")
    return cancelled


def open_for_staff(actor: dict, offering_id: str) -> str:
    """Staff's "Open the token" button; returns the chain job id."""
    offering_for_review(actor, offering_id)
    return open_token(current_app.config, offering_id, actor)


def open_token(config: dict, offering_id: str, actor: dict | None = None) -> str:
    """Record and enqueue the unpause job, exactly once; raises Conflict with the reason it cannot open."""
    db, oid = get_db(config), ObjectId(offering_id)
    with locks.offering(oid, config):
        doc = offerings.by_id(db, oid)
        if doc is None:
            raise errors.NotFound(offering_id)
        refused = rules.refusal(facts(db, doc))
        if refused:
            raise Conflict(refused)
        attempt = int(doc.get("tokenOpenAttempts") or 0) + 1
        new_job = job_id(offering_id, attempt)
        chain_ops.submit(config, "unpause", new_job.removeprefix("unpause:"), doc["tokenAddress"],
                         offeringId=offering_id)
        offerings.set_fields(db, oid, {"tokenOpenJobId": new_job, "tokenOpenAttempts": attempt,
                                       "tokenOpenRequestedAt": datetime.now(UTC)})
    audit.record("offering.token_opening", actor=actor, details={"offeringId": offering_id, "jobId": new_job,
                                                                  "by": "staff" if actor else "schedule"})
    return new_job


def sweep(config: dict, now: datetime) -> list[str]:
    """Open each token whose setting is due at `now`; the ids of the jobs started (refusals wait for the next)."""
    started, db = [], get_db(config)
    for doc in offerings.awaiting_opening(db):
        state = chain_tokens.load(db, doc["tokenAddress"]) if doc.get("tokenAddress") else None
        if state is not None and state["paused"] is False:  # open, but chain-sync's note never landed: repair it
            token_opened(db, doc["_id"])
            continue
        if not rules.due(doc, now):
            continue
        try:
            started.append(open_token(config, str(doc["_id"])))
        except (errors.Refused, locks.Busy) as refused:
            log.info("token of offering %s not opened yet: %s", doc["_id"], refused)
    return started


def token_opened(db, offering_id) -> None:
    """Chain-sync: the offering's token is unpaused in the projection. Notes the first opening and mails each
    holder once (mailKeys), however often a replay calls it."""
    offerings.mark_opened(db, offering_id, datetime.now(UTC))
    doc = offerings.by_id(db, offering_id)
    if not doc or not doc.get("tokenAddress"):
        return
    offering_changed(str(offering_id))
    title = (doc.get("overview") or {}).get("title") or "your offering"
    link = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/portfolio/"
    for user_id in _holders(db, doc["tokenAddress"]):
        investor = users.by_id(db, user_id)
        if investor and investor.get("email"):
            send_email(investor["email"], f"Libertum: Your {title} tokens can now be transferred", "token_opened",
                       {"offering_title": title, "portfolio_url": link}, investor["_id"],
                       key=f"token-opened:{offering_id}:{user_id}")


def _holders(db, token: str) -> list:
    owners = []
    for holding in holdings.for_token(db, token):
        owner = user_details.wallet_owner(db, holding["wallet"]) if int(holding["balance"]) > 0 else None
        if owner and owner not in owners:
            owners.append(owner)
    return owners


def moves_for_page(offering_id: str, user: dict | None) -> dict:
    """The offering page's lines on moving its tokens (app.domain.transfers.standing.for_offering)."""
    config, db = current_app.config, get_db()
    oid = parse_id(offering_id)
    doc = offerings.by_id(db, oid) if oid else None
    if doc is None:
        return {"token": None, "mine": None}
    wallets = user_details.verified_wallets(db, user["_id"]) if user else []
    return standing.for_offering(config, db, doc, user, wallets, datetime.now(UTC))
