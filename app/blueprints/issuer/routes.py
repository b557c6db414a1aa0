"""Issuer: the offering wizard (one htmx step at a time, saved and resumed) and the issuer's offerings.

Each view: load the issuer's own offering through app.domain.offerings.service (another issuer's is
a 404), call one operation, render the page or, for htmx, the step fragment.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file, url_for

from app.access import access_default, current_user_doc
from app.blueprints.htmx import is_htmx, page_or_fragment, redirect_to
from app.domain.accounts.permissions import ISSUERS
from app.domain.offerings import service as offerings
from app.domain.offerings.rules import IMAGES, NAMED_DOCUMENTS, STEPS, resume_step, submission_problems
from app.domain.offerings.rules import step as find_step
from app.domain.platform import uploads

bp = Blueprint("issuer", __name__, url_prefix="/issuer", template_folder="templates")
access_default(bp, ISSUERS)


@bp.errorhandler(offerings.Locked)
def locked(error):
    """A submitted offering changes no more: show it (read-only) instead of the step."""
    return redirect_to("issuer.show_offering", offering_id=str(error))


def render_step(doc: dict, key: str, typed: dict | None = None, errors: dict | None = None, status: int = 200,
                problems: list[str] | None = None):
    st = find_step(key)
    context = {"offering": doc, "step": st, "steps": STEPS, "typed": typed or offerings.typed_values(doc, st),
               "errors": errors or {}, "problems": problems or [], "images": IMAGES, "documents": NAMED_DOCUMENTS}
    headers = {"HX-Push-Url": url_for("issuer.show_step", offering_id=str(doc["_id"]), key=key)} if is_htmx() else {}
    return page_or_fragment("issuer/wizard.html", "issuer/_step.html", status, headers, **context)


@bp.get("/")
def show_dashboard():
    """The issuer's offerings with status, raise and investor count."""
    return render_template("issuer/index.html", offerings=offerings.dashboard(current_user_doc()))


@bp.post("/offerings")
def create_offering():
    """Start a new offering at its first step."""
    offering_id = offerings.create_draft(current_user_doc())
    return redirect_to("issuer.show_step", offering_id=offering_id, key=STEPS[0].key)


@bp.get("/offerings/<offering_id>")
def show_offering(offering_id: str):
    """Resume at the saved step, or show the submitted offering read-only."""
    doc = offerings.owned(current_user_doc(), offering_id)
    if doc["status"] not in ("draft", "changes_requested"):
        return render_template("issuer/submitted.html", offering=doc, steps=STEPS)
    return redirect_to("issuer.show_step", offering_id=offering_id, key=resume_step(doc).key)


@bp.get("/offerings/<offering_id>/steps/<key>")
def show_step(offering_id: str, key: str):
    doc = offerings.owned(current_user_doc(), offering_id)
    if find_step(key) is None:
        abort(404)
    if doc["status"] not in ("draft", "changes_requested"):
        raise offerings.Locked(offering_id)
    return render_step(doc, key, problems=submission_problems(doc) if key == "review" else None)


@bp.post("/offerings/<offering_id>/steps/<key>")
def save_step(offering_id: str, key: str):
    """Validate and save; errors re-render with what was typed, success moves to the next step."""
    result = offerings.save_step(current_user_doc(), offering_id, key, request.form.to_dict())
    doc = offerings.owned(current_user_doc(), offering_id)
    if not result.saved:
        return render_step(doc, key, result.typed, result.errors, status=422)
    st = find_step(key)
    following = key if st.repeat else STEPS[[s.key for s in STEPS].index(key) + 1].key
    if is_htmx():
        return render_step(doc, following)
    return redirect_to("issuer.show_step", offering_id=offering_id, key=following)


@bp.post("/offerings/<offering_id>/steps/<key>/entries/<int:index>/remove")
def remove_entry(offering_id: str, key: str, index: int):
    offerings.remove_entry(current_user_doc(), offering_id, key, index)
    return redirect_to("issuer.show_step", offering_id=offering_id, key=key)


@bp.post("/offerings/<offering_id>/files/<slot>")
def upload_file(offering_id: str, slot: str):
    """One image or document; a refused file re-renders the step with the reason."""
    key = "overview" if slot in dict(IMAGES) else "documents"
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise uploads.UploadRefused("Choose a file first.")
        offerings.attach_file(current_user_doc(), offering_id, slot, upload.stream, request.form.get("label", ""))
    except uploads.UploadRefused as error:
        doc = offerings.owned(current_user_doc(), offering_id)
        return render_step(doc, key, errors={slot: str(error)}, status=413 if isinstance(
            error, uploads.UploadTooLarge) else 422)
    return redirect_to("issuer.show_step", offering_id=offering_id, key=key)


@bp.get("/offerings/<offering_id>/files/<name>")
def download_file(offering_id: str, name: str):
    """The issuer's own stored file, always as an attachment."""
    doc = offerings.owned(current_user_doc(), offering_id)
    path, content_type = uploads.locate(offerings.upload_dir(), str(doc["_id"]), name)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=name)


@bp.post("/offerings/<offering_id>/submit")
def submit_offering(offering_id: str):
    """Final submission: sent for review, or back to the review step with what is missing."""
    problems = offerings.submit(current_user_doc(), offering_id)
    if problems:
        return render_step(offerings.owned(current_user_doc(), offering_id), "review", problems=problems, status=422)
    return redirect_to("issuer.show_offering", offering_id=offering_id)
