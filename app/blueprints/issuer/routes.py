"""Issuer: the offering wizard (one htmx step at a time, saved and resumed) and the issuer's offerings.

Each view: load the issuer's own offering through app.domain.offerings.service (another issuer's is
a 404), call one operation, render the page or, for htmx, the step fragment.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file, url_for

from app.access import access_default, current_user_doc
from app.blueprints import confirm
from app.blueprints.htmx import is_htmx, page_or_fragment, redirect_to
from app.domain.accounts.permissions import ISSUERS
from app.domain.offerings import service as offerings
from app.domain.offerings import summary
from app.domain.offerings.rules import IMAGES, STEPS, resume_step, submission_problems
from app.domain.offerings.rules import step as find_step
from app.domain.platform import uploads
from app.formatting import country_choices

bp = Blueprint("issuer", __name__, url_prefix="/issuer", template_folder="templates")
access_default(bp, ISSUERS)


@bp.errorhandler(offerings.Locked)
def locked(error):
    """A submitted offering changes no more: show it (read-only) instead of the step."""
    return redirect_to("issuer.show_offering", offering_id=str(error))


def render_step(doc: dict, key: str, typed: dict | None = None, errors: dict | None = None, status: int = 200,
                problems: list[str] | None = None):
    st, oid = find_step(key), str(doc["_id"])
    stages = [{**stage, "url": url_for("issuer.show_step", offering_id=oid, key=stage["key"])}
              for stage in summary.step_states(doc, key)]
    context = {"offering": doc, "step": st, "steps": STEPS, "typed": typed or offerings.typed_values(doc, st),
               "errors": errors or {}, "problems": problems or [], "stages": stages,
               "image_rows": summary.image_rows(doc), "document_rows": summary.document_rows(doc),
               "custom_rows": summary.custom_rows(doc),
               "sections": summary.review_sections(doc) if key == "review" else []}
    headers = {"HX-Push-Url": url_for("issuer.show_step", offering_id=oid, key=key)} if is_htmx() else {}
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
        return render_template("issuer/submitted.html", offering=doc, sections=summary.review_sections(doc),
                               preview=offerings.public_preview(doc))
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
    form = {name: ", ".join(request.form.getlist(name)) for name in request.form}  # a multiple select's choices
    result = offerings.save_step(current_user_doc(), offering_id, key, form)
    doc = offerings.owned(current_user_doc(), offering_id)
    if not result.saved:
        return render_step(doc, key, result.typed, result.errors, status=422)
    st = find_step(key)
    following = key if st.repeat else STEPS[[s.key for s in STEPS].index(key) + 1].key
    if is_htmx():
        return render_step(doc, following)
    return redirect_to("issuer.show_step", offering_id=offering_id, key=following)


@bp.get("/offerings/<offering_id>/steps/<key>/entries/<int:index>/remove")
def confirm_remove_entry(offering_id: str, key: str, index: int):
    """The question before removing a team member or custom field, without JavaScript (htmx uses hx-confirm)."""
    doc = offerings.owned(current_user_doc(), offering_id)
    entries = doc.get("team") if key == "team" else (doc.get("projectDetails") or {}).get("customFields")
    if not entries or not 0 <= index < len(entries):
        abort(404)
    name = entries[index].get("name") or entries[index].get("label") or "this entry"
    back = url_for("issuer.show_step", offering_id=offering_id, key=key)
    return confirm.ask(f"Remove {name}?", url_for("issuer.remove_entry", offering_id=offering_id, key=key,
                                                  index=index), back, "Yes, remove", "")


@bp.post("/offerings/<offering_id>/steps/<key>/entries/<int:index>/remove")
def remove_entry(offering_id: str, key: str, index: int):
    """Take a team member or custom field off; without the confirmation it only asks."""
    if not confirm.confirmed():
        return confirm_remove_entry(offering_id, key, index)
    offerings.remove_entry(current_user_doc(), offering_id, key, index)
    return redirect_to("issuer.show_step", offering_id=offering_id, key=key)


def render_file_row(offering_id: str, slot: str, error: str = "", status: int = 200):
    """Only the file's row (htmx): the step's form around it, and what was typed in it, stay as they are."""
    doc = offerings.owned(current_user_doc(), offering_id)
    if slot == "custom" or slot.startswith("custom-"):
        return render_template("issuer/_custom_docs.html", offering=doc, custom_rows=summary.custom_rows(doc),
                               error=error), status
    rows = summary.image_rows(doc) + summary.document_rows(doc)
    row = next((r for r in rows if r.slot == slot), None)
    if row is None:
        abort(404)
    return render_template("issuer/_file_row.html", offering=doc, row=row, error=error), status


@bp.post("/offerings/<offering_id>/files/<slot>")
def upload_file(offering_id: str, slot: str):
    """One image or document; under htmx only its row is answered, so text typed on the step is kept."""
    key = "overview" if slot in dict(IMAGES) else "documents"
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise uploads.UploadRefused("Choose a file first.")
        offerings.attach_file(current_user_doc(), offering_id, slot, upload.stream, request.form.get("label", ""),
                              upload.filename)
    except uploads.UploadRefused as error:
        status = 413 if isinstance(error, uploads.UploadTooLarge) else 422
        if is_htmx():
            return render_file_row(offering_id, slot, str(error), status)
        doc = offerings.owned(current_user_doc(), offering_id)
        return render_step(doc, key, errors={slot: str(error)}, status=status)
    if is_htmx():
        return render_file_row(offering_id, slot)
    return redirect_to("issuer.show_step", offering_id=offering_id, key=key)


@bp.get("/offerings/<offering_id>/files/<slot>/remove")
def confirm_remove_file(offering_id: str, slot: str):
    """The question before removing an uploaded file, without JavaScript (htmx uses hx-confirm)."""
    doc = offerings.owned(current_user_doc(), offering_id)
    rows = summary.image_rows(doc) + summary.document_rows(doc) + summary.custom_rows(doc)
    row = next((r for r in rows if r.slot == slot and r.stored), None)
    if row is None:
        abort(404)
    key = "overview" if slot in dict(IMAGES) else "documents"
    return confirm.ask(f"Remove {row.file_name} from the {row.label.lower()}?",
                       url_for("issuer.remove_file", offering_id=offering_id, slot=slot),
                       url_for("issuer.show_step", offering_id=offering_id, key=key), "Yes, remove the file",
                       "You can upload another file in its place.")


@bp.post("/offerings/<offering_id>/files/<slot>/remove")
def remove_file(offering_id: str, slot: str):
    """Take an uploaded image or document off the offering; without the confirmation it only asks."""
    if not confirm.confirmed():
        return confirm_remove_file(offering_id, slot)
    offerings.detach_file(current_user_doc(), offering_id, slot)
    if is_htmx():
        return render_file_row(offering_id, slot)
    key = "overview" if slot in dict(IMAGES) else "documents"
    return redirect_to("issuer.show_step", offering_id=offering_id, key=key)


@bp.get("/offerings/<offering_id>/images/<name>")
def preview_image(offering_id: str, name: str):
    """The issuer's own uploaded image shown inline (a preview); other files only download."""
    doc = offerings.owned(current_user_doc(), offering_id)
    path, content_type = uploads.locate(offerings.upload_dir(), str(doc["_id"]), name)
    if not content_type.startswith("image/"):
        abort(404)
    response = send_file(path, mimetype=content_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"  # as the marketplace's images
    return response


@bp.get("/countries")
def country_options():
    """The country list's options filtered by what was typed, keeping the ones already chosen (htmx)."""
    typed = request.args.get("q", "").strip().casefold()[:60]
    chosen = set(request.args.getlist("authorizedCountries"))
    options = [(code, name) for code, name in country_choices()
               if code in chosen or not typed or typed in name.casefold() or typed == code.casefold()]
    return render_template("issuer/_country_options.html", options=options, chosen=chosen)


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
