"""Issuer: propose a new NAV per token for a deployed offering of theirs, with the valuation report, and follow
the proposals' decisions. app.domain.nav.proposals decides who may (another issuer's offering is a 404)."""

from __future__ import annotations

from flask import flash, render_template, request, send_file

from app.access import current_user_doc
from app.blueprints.htmx import redirect_to
from app.blueprints.issuer.routes import bp
from app.domain.nav import proposals
from app.domain.nav.rules import METHODS

FIELDS = ("nav", "effective_date", "valuer", "method", "method_other")


def render_nav(offering_id: str, typed: dict | None = None, errors: dict | None = None, status: int = 200):
    view = proposals.page(current_user_doc(), offering_id)
    return render_template("issuer/nav.html", view=view, typed=typed or {}, errors=errors or {},
                           methods=METHODS), status


@bp.get("/offerings/<offering_id>/nav")
def show_nav(offering_id: str):
    """The offering's NAV, its proposals and their decisions, and the form for a new one."""
    return render_nav(offering_id)


@bp.post("/offerings/<offering_id>/nav")
def propose_nav(offering_id: str):
    """Save a proposal for review; a refused form re-renders with what was typed and why."""
    typed = {name: request.form.get(name, "") for name in FIELDS}
    upload = request.files.get("report")
    report = upload.stream if upload is not None and upload.filename else None
    outcome = proposals.propose(current_user_doc(), offering_id, typed, report)
    if outcome.proposal_id is None:
        return render_nav(offering_id, typed, outcome.errors, outcome.status)
    flash("NAV proposal sent for review; you are mailed the decision.", "success")
    return redirect_to("issuer.show_nav", offering_id=offering_id)


@bp.get("/offerings/<offering_id>/nav/<proposal_id>/report")
def download_nav_report(offering_id: str, proposal_id: str):
    """A proposal's valuation report, always as an attachment."""
    path, content_type = proposals.report_file(current_user_doc(), offering_id, proposal_id)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=f"valuation-report{path.suffix}")
