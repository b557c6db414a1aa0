"""Back office: the KYC review queue and the issuer requests.

Each view loads what the acting reviewer may see through a domain service (which checks the
permission again), calls one operation, and renders. Decisions are audited by the services.
"""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user

from app.access import access, access_default
from app.blueprints import confirm
from app.blueprints.backoffice import attempt
from app.blueprints.htmx import redirect_to
from app.domain import errors
from app.domain.accounts.permissions import staff
from app.domain.onboarding import issuer_applications, rules
from app.domain.onboarding import review as kyc_review

bp = Blueprint("review", __name__, url_prefix="/admin/review", template_folder="templates")
access_default(bp, staff("kyc"))


@bp.get("/kyc")
def list_kyc():
    """Submitted applications, oldest first."""
    return render_template("review/kyc_list.html", rows=kyc_review.pending(current_user.doc))


@bp.get("/kyc/<user_id>")
def show_kyc(user_id: str):
    """One application: the data (identity numbers in clear for the reviewer) and its documents."""
    user, details = kyc_review.application(current_user.doc, user_id)
    kind = details.get("accountType") or rules.INDIVIDUAL
    return render_template("review/kyc_detail.html", applicant=user, details=details, kind=kind, rules=rules)


@bp.post("/kyc/<user_id>/decision")
def decide_kyc(user_id: str):
    """Approve, reject or request changes to chosen steps, with a reason; a rejection asks first."""
    if request.form.get("decision") == "reject" and not confirm.confirmed():
        return confirm.ask_again("Reject this verification?", url_for("review.show_kyc", user_id=user_id),
                                 "Yes, reject", "The applicant is told by mail and reads your reason; "
                                 "they would have to apply again.")
    if not attempt(kyc_review.decide, current_user.doc, user_id, request.form.get("decision", ""),
                   request.form.get("reason", ""), request.form.getlist("steps"), done="Decision recorded.",
                   category="info"):
        return redirect_to("review.show_kyc", user_id=user_id)
    return redirect_to("review.list_kyc")


@bp.get("/issuers")
@access(staff("issuer_requests"))
def list_issuer_requests():
    return render_template("review/issuers.html", rows=issuer_applications.pending(current_user.doc))


@bp.post("/issuers/<user_id>/decision")
@access(staff("issuer_requests"))
def decide_issuer(user_id: str):
    """Approve or reject an issuer application; the applicant is emailed either way. A rejection asks first."""
    if request.form.get("decision") != "approve" and not confirm.confirmed():
        return confirm.ask_again("Reject this issuer application?", url_for("review.list_issuer_requests"),
                                 "Yes, reject", "The applicant is told by mail and reads your reason. "
                                 "This cannot be undone.")
    try:
        issuer_applications.decide(current_user.doc, user_id, request.form.get("decision") == "approve",
                                   request.form.get("reason", ""))
    except errors.Refused as refusal:
        flash(str(refusal), "error")
    return redirect_to("review.list_issuer_requests")
