"""Issuers declare and follow their offerings' distributions; the supporting document is served to its issuer,
to staff with the `dividends` permission and to holders with a line in it (others get 404).

A refused declaration re-renders the form with each problem next to its field and everything typed kept
(422); a document above UPLOAD_MAX_BYTES answers 413 the same way.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, send_file

from app.access import access, access_default, current_user_doc
from app.blueprints.htmx import redirect_to
from app.domain.accounts.permissions import ISSUERS, SIGNED_IN
from app.domain.distributions import declaration, issuer_views, rules
from app.domain.platform import uploads
from app.formatting import platform_currency

bp = Blueprint("distributions", __name__, template_folder="templates")
access_default(bp, ISSUERS)


@bp.get("/issuer/offerings/<offering_id>/distributions")
def list_distributions(offering_id: str):
    """The offering's distributions with their status, newest first, and the form to declare one."""
    offering = declaration.own_offering(current_user_doc(), offering_id)
    return render_template("distributions/list.html", offering=offering,
                           rows=issuer_views.of_offering(current_app.config, offering), labels=rules.STATUS_LABELS,
                           rules=rules)


@bp.get("/issuer/offerings/<offering_id>/distributions/new")
def show_declare(offering_id: str):
    offering = declaration.own_offering(current_user_doc(), offering_id)
    return _form(offering, {"amountKind": "total", "paymentMethod": "fiat", "dividendType": "rentalIncome"}, {})


@bp.post("/issuer/offerings/<offering_id>/distributions/new")
def declare(offering_id: str):
    """Declare; waits for staff approval. Problems re-render the form with what was typed."""
    offering = declaration.own_offering(current_user_doc(), offering_id)
    typed = {name: request.form.get(name, "") for name in declaration.FIELDS}
    upload = request.files.get("document")
    try:
        distribution_id = declaration.declare(current_app.config, current_user_doc(), offering_id, typed,
                                              upload.stream if upload and upload.filename else None)
    except uploads.UploadTooLarge as error:
        return _form(offering, typed, {"document": str(error)}, 413)
    except declaration.DeclarationRefused as refusal:
        return _form(offering, typed, refusal.problems, 422)
    return redirect_to("distributions.show_distribution", distribution_id=str(distribution_id))


@bp.get("/issuer/distributions/<distribution_id>")
def show_distribution(distribution_id: str):
    """One distribution: its figures, the waterfall, the holders' lines and the totals once fixed."""
    found = issuer_views.own(current_app.config, current_user_doc(), distribution_id)
    return render_template("distributions/show.html", distribution=found, labels=rules.STATUS_LABELS,
                           lines=issuer_views.lines(current_app.config, found), rules=rules, staff=False)


@bp.get("/distributions/<distribution_id>/document")
@access(SIGNED_IN)
def download_document(distribution_id: str):
    path, content_type = issuer_views.document(current_app.config, current_user_doc(), distribution_id)
    response = send_file(path, mimetype=content_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _form(offering: dict, typed: dict, problems: dict, status: int = 200):
    return render_template("distributions/declare.html", offering=offering, typed=typed, problems=problems,
                           rules=rules, currency=platform_currency()), status
