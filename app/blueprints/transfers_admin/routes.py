"""Back office: transfer requests (permission `transfers`) — the list, one request, approve or reject.

An approval queues the execution on chain (app.domain.transfers.execution); the maker of a
request never decides it (403). Decisions answer with a redirect to the request and a flash.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from app.access import NotYetAllowed, access_default, current_user_doc
from app.access_reasons import NotYet
from app.blueprints.backoffice import Question, decide
from app.domain.accounts.permissions import STAFF
from app.domain.platform.chain_ops import job_status
from app.domain.transfers import new_owner, review, rules

bp = Blueprint("transfers_admin", __name__, url_prefix="/admin/transfers", template_folder="templates")
access_default(bp, STAFF)  # narrowed below: the `transfers` permission, or the offering's transfer agent
NEEDS = NotYet("Transfer requests open to staff with the “Transfers” permission and to the transfer agent of an "
               "offering. Ask an admin to grant the permission to your account.", "Back to the back office",
               "admin.show_dashboard")


@bp.before_request
def transfer_agents_and_staff_only():
    """A friendly 403 for staff who neither hold `transfers` nor act as an offering's transfer agent."""
    user = current_user_doc()
    if user is not None and not review.may_review(current_app.config, user):
        raise NotYetAllowed(NEEDS)
# a request's chain steps, in order (app.domain.transfers.execution notes each job as `<op>JobId`)
JOB_FIELDS = ("registerIdentityJobId", "forcedTransferJobId", "addKeyJobId", "recoveryAddressJobId")


@bp.get("/")
def list_requests():
    """Requests, newest first, optionally of one status."""
    status = request.args.get("status", "")
    return render_template("transfers_admin/list.html", rows=review.requests(current_app.config, status,
                                                                            current_user_doc()),
                           status=status, labels=rules.STATUS_LABELS, kinds=rules.KIND_LABELS)


@bp.get("/<request_id>")
def show_request(request_id: str):
    """One request: who, what, from and to which wallet, the decision and the chain jobs' progress."""
    found = review.request(current_app.config, request_id, current_user_doc())
    jobs = [job_status(current_app.config, found[key]) for key in JOB_FIELDS if found.get(key)]
    owner_check = new_owner.approval_check(current_app.config, found)[1] \
        if found.get("kind") == rules.NEW_OWNER and found["status"] == rules.PENDING else None
    return render_template("transfers_admin/show.html", transfer=found, labels=rules.STATUS_LABELS, jobs=jobs,
                           owner_check=owner_check,
                           is_maker=rules.is_maker(current_user_doc()["_id"], found))


def _request_page(request_id: str) -> str:
    return url_for("transfers_admin.show_request", request_id=request_id)


@bp.post("/<request_id>/approve")
def approve_request(request_id: str):
    return decide(_request_page(request_id), review.approve, current_app.config, current_user_doc(), request_id,
                  request.form.get("remark", ""), done="Approved; the transfer is being executed on chain.")


@bp.post("/<request_id>/reject")
def reject_request(request_id: str):
    """Reject with a remark the investor reads; asks first."""
    return decide(_request_page(request_id), review.reject, current_app.config, current_user_doc(), request_id,
                  request.form.get("remark", ""), done="Rejected; the investor reads your reason.",
                  ask=Question("Reject this transfer request?", "Yes, reject",
                               "The investor reads your reason. This cannot be undone."))
