"""Back office: whitelisting requests — list with filters, detail, the transfer agent's and the final decisions.

Open to staff; the domain narrows it: staff with the `whitelist` permission see every request
and record final decisions, an offering's transfer agent sees that offering's requests and
records the agent's decision. Anyone else gets 404 for a request and 403 for a decision.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from app.access import access_default, current_user_doc
from app.blueprints.backoffice import Question, decide
from app.domain.accounts.permissions import STAFF
from app.domain.whitelisting import review, rules

bp = Blueprint("whitelist_admin", __name__, url_prefix="/admin/whitelist", template_folder="templates")
access_default(bp, STAFF)


@bp.get("/")
def list_requests():
    """Requests filtered by offering and status, newest first."""
    actor = current_user_doc()
    offering_id, status = request.args.get("offering", ""), request.args.get("status", "")
    return render_template("whitelist_admin/list.html", rows=review.list_requests(actor, offering_id, status),
                           offerings=review.offerings_for_filter(actor), statuses=rules.STATUSES,
                           offering_id=offering_id, status=status)


@bp.get("/<whitelist_id>")
def show_request(whitelist_id: str):
    """One request: investor, wallet, signature, decisions, and the on-chain registration's progress."""
    actor = current_user_doc()
    whitelist, offering = review.request_for(actor, whitelist_id)
    return render_template("whitelist_admin/show.html", whitelist=whitelist, offering=offering,
                           stage=rules.stage_of(whitelist), can=review.abilities(actor, whitelist, offering),
                           registration=review.registration(whitelist))


@bp.post("/<whitelist_id>/ta-decision")
def decide_as_agent(whitelist_id: str):
    """The offering's transfer agent approves or rejects (a rejection needs a reason, and asks first)."""
    return _decide(review.ta_decide, whitelist_id,
                   done="The transfer agent's decision is recorded; the investor is emailed.")


@bp.post("/<whitelist_id>/decision")
def decide_request(whitelist_id: str):
    """The final decision; an approval starts the investor's registration on chain. A rejection asks first."""
    return _decide(review.decide, whitelist_id, done="Decision recorded; the investor is emailed.")


REJECT = Question("Reject this whitelisting request?", "Yes, reject",
                  "The investor is emailed and reads your reason. This cannot be undone.")


def _decide(operation, whitelist_id: str, done: str):
    """Both decisions post a decision and a reason; only a rejection asks first."""
    decision = request.form.get("decision", "")
    return decide(url_for("whitelist_admin.show_request", whitelist_id=whitelist_id), operation, current_user_doc(),
                  whitelist_id, decision, request.form.get("reason", ""), done=done,
                  ask=REJECT if decision == rules.REJECTED else None)
