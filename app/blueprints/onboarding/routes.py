"""Onboarding: Identity verification (KYC for individuals, KYB for institutions), wallet proof and the
issuer application.

The wizard's routes answer htmx requests with the step fragment only and plain requests
with the whole page, so it works with and without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.access import access, access_default
from app.blueprints.htmx import page_or_fragment, redirect_to
from app.blueprints.onboarding import wallet_views
from app.domain.accounts.permissions import SIGNED_IN
from app.domain.compliance import renewal
from app.domain.onboarding import issuer_applications, rules, sensitive, what_next
from app.domain.onboarding import review as kyc_review
from app.domain.onboarding import service as onboarding
from app.domain.platform import uploads
from app.formatting import labels

bp = Blueprint("onboarding", __name__, url_prefix="/onboarding", template_folder="templates")
access_default(bp, SIGNED_IN)
wallet_views.register(bp)
STATUS_LABELS = labels.KYC  # the one table of KYC status labels (app/formatting/labels.py)


@bp.app_template_filter("dig")
def dig(document: dict, path: str):
    """A value at a dotted path of a document (templates of the wizard and of the review pages)."""
    return onboarding.dig(document, path)


@bp.app_template_filter("mask")
def mask(value: str) -> str:
    return sensitive.mask(value)


def _page_or_fragment(step: rules.Step, details: dict, values: dict | None = None, errors: dict | None = None,
                      status: int = 200):
    user = current_user.doc
    context = {"user": user, "details": details, "step": step, "values": values or {}, "errors": errors or {},
               "kind": onboarding.account_type(details) or rules.INDIVIDUAL, "rules": rules,
               "locked": onboarding.is_locked(user, details), "what_next": what_next}
    return page_or_fragment("onboarding/wizard.html", "onboarding/_step.html", status, **context)


@bp.get("/")
@access(SIGNED_IN)
def show_onboarding():
    """The investor's verification status, reason, wallets and issuer application."""
    user = current_user.doc
    return render_template("onboarding/index.html", user=user, details=onboarding.details_of(user),
                           rules=rules, status_labels=STATUS_LABELS, what_next=what_next,
                           renewal=renewal)


@bp.get("/kyc")
def show_wizard():
    """Resume the wizard where it was left (or ask for the path first)."""
    details = onboarding.details_of(current_user.doc)
    if not onboarding.account_type(details):
        return render_template("onboarding/choose.html")
    return redirect(url_for("onboarding.show_step", key=onboarding.current_step(details).key))


@bp.post("/kyc/type")
def choose_type():
    """Individual (KYC) or institution (KYB); a submitted application keeps its type (409)."""
    try:
        onboarding.choose_type(current_user.doc, request.form.get("accountType", ""))
    except onboarding.WizardLocked as locked:
        return render_template("onboarding/choose.html", error=str(locked)), 409
    except ValueError as error:  # neither of the two: a validation error
        return render_template("onboarding/choose.html", error=str(error)), 422
    return redirect_to("onboarding.show_wizard")


@bp.get("/kyc/<key>")
def show_step(key: str):
    details = onboarding.details_of(current_user.doc)
    step = rules.step_named(onboarding.account_type(details) or rules.INDIVIDUAL, key) or abort(404)
    return _page_or_fragment(step, details, values=onboarding.step_values(details, step))


@bp.post("/kyc/<key>")
def save_step(key: str):
    """Validate and save one step; errors re-render it with what was typed."""
    try:
        result = onboarding.save_step(current_user.doc, key, request.form, request.files)
    except onboarding.WizardLocked as locked:
        return render_template("onboarding/locked.html", message=str(locked)), 409
    except uploads.UploadTooLarge as too_large:  # the limit said in the page (under htmx, in the fragment)
        result = onboarding.StepResult({}, {"__all__": str(too_large)})
    details = onboarding.details_of(current_user.doc)
    step = rules.step_named(onboarding.account_type(details) or rules.INDIVIDUAL, key)
    if "__all__" in result.errors:
        return _page_or_fragment(step, details, result.values, result.errors, status=413)
    if not result.ok:
        return _page_or_fragment(step, details, result.values, result.errors, status=422)
    if result.next_step is None:  # a list step: show it again with the new entry
        return _page_or_fragment(step, details)
    return _page_or_fragment(rules.step_named(onboarding.account_type(details), result.next_step), details)


@bp.post("/kyc/<key>/done")
def finish_list_step(key: str):
    result = onboarding.finish_repeat_step(current_user.doc, key)
    details = onboarding.details_of(current_user.doc)
    step = rules.step_named(onboarding.account_type(details), result.next_step or key)
    return _page_or_fragment(step, details, errors=result.errors, status=200 if result.ok else 422)


@bp.post("/kyc/submit")
def submit_application():
    """Final submission: locks the data until a reviewer asks for changes."""
    try:
        onboarding.submit(current_user.doc)
    except (ValueError, onboarding.WizardLocked) as error:
        return render_template("onboarding/locked.html", message=str(error)), 409
    return redirect_to("onboarding.show_onboarding")


@bp.post("/kyc/renew")
def renew_verification():
    """Expiring or expired: ask the provider for a new check (app.domain.compliance.renewal)."""
    try:
        renewal.start(current_user.doc)
    except renewal.RenewalRefused as refused:
        return render_template("onboarding/locked.html", message=str(refused)), 409
    return redirect_to("onboarding.show_onboarding")


@bp.get("/documents/<owner_id>/<name>")
def download_document(owner_id: str, name: str):
    """A stored document, to its owner or a KYC reviewer only, always as a download."""
    path, content_type = kyc_review.document(current_user.doc, owner_id, name)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)


@bp.route("/issuer", methods=["GET", "POST"])
def apply_issuer():
    """Apply to become an issuer (company data and a document); KYC approval comes first."""
    user, errors, values, status = current_user.doc, {}, {}, 422
    if request.method == "POST":
        values = {f.name: request.form.get(f.name, "")[:500] for f in issuer_applications.FIELDS}
        try:
            errors = issuer_applications.apply(user, request.form, request.files.get("document"))
        except issuer_applications.NotAllowed as refused:
            return render_template("onboarding/locked.html", message=str(refused)), 409
        except uploads.UploadTooLarge as too_large:  # the limit said next to the field
            errors, status = {"document": str(too_large)}, 413
        if not errors:
            return redirect_to("onboarding.show_onboarding")
    return render_template("onboarding/issuer.html", user=user, fields=issuer_applications.FIELDS, values=values,
                           errors=errors, what_next=what_next), status if errors else 200
