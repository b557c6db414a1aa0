"""Back office: distributions (permission `dividends`): the list, one distribution with its lines and totals,
approve (remark) or reject (reason, asks first), and the withholding table per residence country.

Decisions answer with a redirect to the distribution and a flash (app/blueprints/backoffice.decide).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from app.access import access_default, current_user_doc
from app.blueprints.backoffice import Question, decide
from app.blueprints.htmx import redirect_to
from app.domain.accounts.permissions import staff
from app.domain.distributions import issuer_views, review, rules, withholding
from app.formatting import country_choices

bp = Blueprint("distributions_admin", __name__, url_prefix="/admin/distributions", template_folder="templates")
access_default(bp, staff("dividends"))


@bp.get("/")
def list_distributions():
    """Distributions, newest first, optionally of one status."""
    status = request.args.get("status", "")
    return render_template("distributions_admin/list.html", rows=review.listing(current_app.config, status),
                           status=status, labels=rules.STATUS_LABELS, rules=rules)


@bp.get("/withholding")
def show_withholding():
    return _withholding({}, {})


@bp.post("/withholding")
def set_withholding():
    """One country's rate in percent (two decimals at most); a refusal keeps what was typed (422)."""
    typed = {"country": request.form.get("country", ""), "rate": request.form.get("rate", "")}
    try:
        withholding.set_rate(current_app.config, current_user_doc(), typed["country"], typed["rate"])
    except withholding.RateRefused as refusal:
        return _withholding(typed, {refusal.field: refusal.reason}, 422)
    return redirect_to("distributions_admin.show_withholding")


@bp.get("/<distribution_id>")
def show_distribution(distribution_id: str):
    found = review.one(current_app.config, distribution_id)
    return render_template("distributions_admin/show.html", distribution=found, labels=rules.STATUS_LABELS,
                           lines=issuer_views.lines(current_app.config, found), rules=rules, staff=True)


def _distribution_page(distribution_id: str) -> str:
    return url_for("distributions_admin.show_distribution", distribution_id=distribution_id)


@bp.post("/<distribution_id>/approve")
def approve_distribution(distribution_id: str):
    return decide(_distribution_page(distribution_id), review.approve, current_app.config, current_user_doc(),
                  distribution_id, request.form.get("remark", ""),
                  done="Approved; holders are told, and they are fixed at the record date.")


@bp.post("/<distribution_id>/reject")
def reject_distribution(distribution_id: str):
    """Reject with the reason the issuer reads; asks first."""
    return decide(_distribution_page(distribution_id), review.reject, current_app.config, current_user_doc(),
                  distribution_id, request.form.get("remark", ""), done="Rejected; the issuer reads your reason.",
                  ask=Question("Reject this distribution?", "Yes, reject",
                               "The issuer reads your reason. This cannot be undone."))


def _withholding(typed: dict, problems: dict, status: int = 200):
    return render_template("distributions_admin/withholding.html", rates=withholding.rates(current_app.config),
                           countries=country_choices(), typed=typed, problems=problems), status
