"""Back office: NAV proposals waiting for a decision; staff with the `offerings` permission approve (with a
remark) or reject (with the reason the issuer reads). Rules in app.domain.nav.review."""

from __future__ import annotations

from flask import abort, render_template, request, send_file, url_for

from app.access import current_user_doc
from app.blueprints.backoffice import Question, decide
from app.blueprints.offering_admin.routes import bp
from app.domain.nav import review


@bp.get("/nav-updates/")
def list_nav_updates():
    """Pending NAV proposals, oldest first."""
    return render_template("offering_admin/nav_list.html", proposals=review.queue(current_user_doc()))


@bp.get("/nav-updates/<proposal_id>")
def show_nav_update(proposal_id: str):
    """The proposal, its evidence and the change it makes."""
    return render_template("offering_admin/nav_show.html", found=review.proposal_for_review(current_user_doc(),
                                                                                             proposal_id))


@bp.post("/nav-updates/<proposal_id>/decision")
def decide_nav_update(proposal_id: str):
    """Approve (once, however often posted) or reject with a reason; the issuer is mailed."""
    decision = request.form.get("decision", "")
    if decision not in review.DECISIONS:
        abort(400)
    page = url_for("offering_admin.show_nav_update", proposal_id=proposal_id)
    if decision == "approve":
        return decide(page, review.approve, current_user_doc(), proposal_id, request.form.get("remark", ""),
                      done="NAV approved: the offering's price, page and holders follow.")
    return decide(page, review.reject, current_user_doc(), proposal_id, request.form.get("reason", ""),
                  done="NAV proposal rejected; the issuer has been emailed your reason.",
                  ask=Question("Reject this NAV proposal?", "Yes, reject the proposal",
                               "The issuer is emailed your reason; the NAV in force stays."))


@bp.get("/nav-updates/<proposal_id>/report")
def download_nav_update_report(proposal_id: str):
    """The proposal's valuation report, as an attachment."""
    path, content_type = review.report(current_user_doc(), proposal_id)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=f"valuation-report{path.suffix}")
