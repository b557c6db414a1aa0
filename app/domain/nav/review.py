"""Staff decide NAV proposals: approve (with a remark) or reject (with a reason the issuer reads).

Rules (issue 15): the `offerings` permission; maker != checker (the proposer never decides their own);
approving is idempotent under the offering's lock: the offering's `latestNav`, `latestNavAt` and `navHistory`
read model are written as values before the proposal is marked approved, so a crash in between is finished
by the next approval, and an approval of an approved proposal writes nothing. The offering's page cache and
the catalogue follow (app/cache.py); holders are mailed once (app/tasks/nav.py).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app import cache, locks
from app.data import nav_history, offerings, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.nav import rules
from app.domain.nav.holder_mails import link
from app.domain.nav.proposals import current_nav, report_of
from app.domain.platform import audit, text_rules
from app.domain.platform.notifications import send_email
from app.tasks import nav as nav_jobs

log = logging.getLogger(__name__)
DECISIONS = ("approve", "reject")


def _require(actor: dict) -> None:
    if not has_permission(actor, "offerings"):
        raise errors.NotAllowed("deciding NAV updates needs the offerings permission")


def queue(actor: dict) -> list[dict]:
    """Pending proposals, oldest first, with their offering's title and current NAV."""
    _require(actor)
    db, rows = get_db(), []
    for proposal in nav_history.pending(db):
        offering = offerings.by_id(db, proposal["offeringId"]) or {}
        rows.append({**proposal, "title": (offering.get("overview") or {}).get("title") or "Untitled offering",
                     "current": current_nav(offering)})
    return rows


def proposal_for_review(actor: dict, proposal_id: str) -> dict:
    """The proposal with its offering and proposer; NotFound for an unknown id."""
    _require(actor)
    pid = parse_id(proposal_id)
    db = get_db()
    proposal = nav_history.by_id(db, pid) if pid else None
    offering = offerings.by_id(db, proposal["offeringId"]) if proposal else None
    if proposal is None or offering is None:
        raise errors.NotFound(proposal_id)
    proposer = users.by_id(db, proposal["proposedBy"]) or {}
    return {"proposal": proposal, "offering": offering, "proposer": proposer.get("email") or "",
            "current": current_nav(offering), "method": rules.method_label(proposal["method"],
                                                                          proposal.get("methodOther", "")),
            "change": rules.change_text(rules.change_bps(int(proposal.get("previousNav") or current_nav(offering)),
                                                         proposal["navPerToken"])),
            "may_decide": proposal["status"] == nav_history.PENDING and proposal["proposedBy"] != actor["_id"]}


def report(actor: dict, proposal_id: str):
    """(path, content type) of the proposal's report, for staff."""
    found = proposal_for_review(actor, proposal_id)
    return report_of(found["offering"], proposal_id)


def _text(value: str, needed: str) -> str:
    value = (value or "").strip()
    if not value and needed:
        raise errors.Refused(needed)
    if problem := text_rules.problem(value, multiline=True, max_chars=1000):
        raise errors.Refused(problem)
    return value


def _checked(actor: dict, proposal_id: str) -> tuple[dict, dict]:
    _require(actor)
    found = proposal_for_review(actor, proposal_id)
    if found["proposal"]["proposedBy"] == actor["_id"]:
        raise errors.NotAllowed("the person who proposed a NAV cannot decide it")
    return found["proposal"], found["offering"]


def _entry(proposal: dict) -> dict:
    """The offering's read-model entry for an approved proposal (what the page and the portfolio read)."""
    return {"id": str(proposal["_id"]), "date": proposal["effectiveDate"], "nav": proposal["navPerToken"],
            "method": rules.method_label(proposal["method"], proposal.get("methodOther", "")),
            "valuer": proposal["valuer"], "report": proposal["reportUrl"], "reportHash": proposal["reportHash"]}


def approve(actor: dict, proposal_id: str, remark: str = "") -> str:
    """Approve once: the offering's NAV, history and caches follow, holders are mailed. Returns the status."""
    proposal, offering = _checked(actor, proposal_id)
    remark = _text(remark, "")
    db, oid = get_db(), offering["_id"]
    with locks.offering(oid):
        proposal = nav_history.by_id(db, proposal["_id"])
        if proposal["status"] == nav_history.APPROVED:
            return nav_history.APPROVED  # approved before: nothing is written twice
        if proposal["status"] != nav_history.PENDING:
            raise errors.Refused("This proposal was rejected; the issuer can propose again.")
        offering = offerings.by_id(db, oid)
        history = [e for e in offering.get("navHistory") or [] if e.get("id") != str(proposal["_id"])]
        if any(e["date"].replace(tzinfo=UTC) >= proposal["effectiveDate"].replace(tzinfo=UTC) for e in history):
            raise errors.Refused("A NAV with the same or a later effective date is in force; reject this one.")
        previous = int(proposal["previousNav"])  # one pending at a time: still the NAV in force before this one
        history.append(_entry(proposal))
        offerings.set_nav(db, oid, proposal["navPerToken"], proposal["effectiveDate"], history)
        nav_history.approve(db, proposal["_id"], actor["_id"], datetime.now(UTC), remark, previous)
    cache.offering_changed(str(oid))
    audit.record("nav.approved", actor=actor, details={"offeringId": str(oid), "proposalId": str(proposal["_id"]),
                                                       "navPerToken": proposal["navPerToken"], "previousNav": previous})
    _enqueue_holder_mails(str(proposal["_id"]))
    _tell_issuer(proposal, offering, "approved", remark)
    log.info("NAV proposal %s approved by %s", proposal["_id"], actor["_id"])
    return nav_history.APPROVED


def reject(actor: dict, proposal_id: str, reason: str) -> str:
    """Reject with the reason the issuer reads; the NAV in force stays."""
    proposal, offering = _checked(actor, proposal_id)
    reason = _text(reason, "Give the reason: the issuer reads it to correct the proposal.")
    with locks.offering(offering["_id"]):
        current = nav_history.by_id(get_db(), proposal["_id"])
        if current["status"] == nav_history.REJECTED:
            return nav_history.REJECTED
        if not nav_history.reject(get_db(), proposal["_id"], actor["_id"], datetime.now(UTC), reason):
            raise errors.Refused("This proposal was approved already.")
    audit.record("nav.rejected", actor=actor, details={"offeringId": str(offering["_id"]),
                                                       "proposalId": str(proposal["_id"]), "reason": reason})
    _tell_issuer(proposal, offering, "rejected", reason)
    return nav_history.REJECTED


def _enqueue_holder_mails(proposal_id: str) -> None:
    nav_jobs.mail_holders.delay(proposal_id, job_id=f"nav-holders-{proposal_id}")


def _tell_issuer(proposal: dict, offering: dict, decision: str, text: str) -> None:
    issuer = users.by_id(get_db(), proposal["proposedBy"]) or {}
    if not issuer.get("email"):
        return
    title = (offering.get("overview") or {}).get("title") or "your offering"
    send_email(issuer["email"], f"Libertum: NAV update for {title} {decision}", "nav_decision",
               {"offering_title": title, "decision": decision, "text": text, "nav": proposal["navPerToken"],
                "effective": proposal["effectiveDate"],
                "nav_url": link(f"/issuer/offerings/{offering['_id']}/nav")},
               issuer["_id"], key=f"nav-decided:{proposal['_id']}")
