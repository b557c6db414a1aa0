"""Back office: offering requests — review queue, assignment, comments, decisions, token deployment.

Every view needs the `offerings` permission; each calls one domain operation as the signed-in
actor and answers with the page, or for htmx with the fragment it changed.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file, url_for

from app.access import access_default, current_user_doc
from app.blueprints.backoffice import Question, decide
from app.blueprints.htmx import is_htmx
from app.domain.accounts.permissions import staff
from app.domain.offerings import deployment as offering_deployment
from app.domain.offerings import review as offering_review
from app.domain.offerings import summary as offering_summary
from app.domain.offerings.rules import IMAGES, NAMED_DOCUMENTS
from app.domain.offerings.service import upload_dir
from app.domain.platform import uploads

bp = Blueprint("offering_admin", __name__, url_prefix="/admin/offerings", template_folder="templates")
access_default(bp, staff("offerings"))


def offering_page(offering_id: str) -> str:
    return url_for("offering_admin.show_offering", offering_id=offering_id)


@bp.get("/")
def list_offerings():
    """Offering requests, filtered by status."""
    status, mine = request.args.get("status", ""), request.args.get("mine", "")
    return render_template("offering_admin/list.html", status=status, statuses=offering_review.QUEUE_STATUSES,
                           mine=mine, offerings=offering_review.review_queue(current_user_doc(), status, mine))


@bp.get("/<offering_id>")
def show_offering(offering_id: str):
    """Everything submitted, the comments, and the actions the state allows."""
    actor = current_user_doc()
    offering = offering_review.offering_for_review(actor, offering_id)
    return render_template("offering_admin/show.html", offering=offering, reviewers=offering_review.reviewers(actor),
                           agents=offering_review.agents(actor), may_decide=offering_review.may_decide(actor, offering),
                           images=IMAGES, documents=NAMED_DOCUMENTS, progress=offering_deployment.progress_of(offering),
                           sections=offering_summary.review_sections(offering))


@bp.post("/<offering_id>/assign")
def assign_offering(offering_id: str):
    """Assign the offering's reviewer or its transfer agent (`role`); the person is mailed."""
    role = request.form.get("role", "reviewer")
    return decide(offering_page(offering_id), offering_review.assign, current_user_doc(), offering_id,
                  request.form.get("person", ""), role,
                  done=("Reviewer" if role == "reviewer" else "Transfer agent") + " assigned; they are told by mail.")


@bp.post("/<offering_id>/comments")
def add_comment(offering_id: str):
    """A reviewer's comment on the offering request."""
    return decide(offering_page(offering_id), offering_review.comment, current_user_doc(), offering_id,
                  request.form.get("text", ""), done="Comment added.")


@bp.post("/<offering_id>/decision")
def decide_offering(offering_id: str):
    """Approve, reject or request changes (the last two need a reason); the issuer is emailed."""
    decision = request.form.get("decision", "")
    if decision not in offering_review.DECISIONS:
        abort(400)
    return decide(offering_page(offering_id), offering_review.decide, current_user_doc(), offering_id, decision,
                  request.form.get("reason", ""), done="Decision recorded; the issuer has been emailed.",
                  ask=REJECT_OFFERING if decision == "reject" else None)


REJECT_OFFERING = Question("Reject this offering?", "Yes, reject the offering",
                           "The issuer is emailed your reason and cannot resubmit it. This cannot be undone.")


@bp.post("/<offering_id>/deploy")
def deploy_offering(offering_id: str):
    """Start (or retry) the token suite deployment; the page then follows its progress."""
    return decide(offering_page(offering_id), offering_deployment.start, current_user_doc(), offering_id,
                  done="Deployment started.")


@bp.get("/<offering_id>/deployment")
def show_deployment(offering_id: str):
    """The live progress fragment; it polls itself while the deployment runs. Once the deployment ended, the
    polling page reloads (HX-Refresh) so its status badge and actions follow, not only this fragment."""
    progress = offering_deployment.progress(current_user_doc(), offering_id)
    ended = is_htmx() and progress.get("status") != "deploying"
    return render_template("offering_admin/_deployment.html", offering_id=offering_id, progress=progress), 200, \
        {"HX-Refresh": "true"} if ended else {}


@bp.get("/<offering_id>/files/<name>")
def download_file(offering_id: str, name: str):
    """A stored file of the offering, always as an attachment."""
    doc = offering_review.offering_for_review(current_user_doc(), offering_id)
    path, content_type = uploads.locate(upload_dir(), str(doc["_id"]), name)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=name)
