"""Back office: bank statements (permission `orders`). Upload one (camt.053 or CSV), see what it settled, and
decide the entries that found no order: assign to an order, refund or ignore, with a reason.

The domain (app.domain.payments.statements) keeps every upload, settles through settlement exactly once and
explains each refusal; these views only parse the request and render.
"""

from __future__ import annotations

from flask import current_app, flash, render_template, request, url_for

from app.access import current_user_doc
from app.blueprints import confirm
from app.blueprints.htmx import redirect_to
from app.blueprints.orders_admin import bp
from app.domain import errors
from app.domain.payments import statements
from app.domain.payments.statement_formats import CSV_OPTIONAL, CSV_REQUIRED
from app.domain.platform import uploads
from app.formatting import status_label

# The decisions that set an entry aside for good ask first (app/blueprints/confirm.py); assigning does not.
SET_ASIDE = {"refund": "Refund", "ignore": "Ignore"}


@bp.get("/statements")
def list_statements():
    """Uploaded statements, newest first, and the entries waiting for a decision."""
    return _page()


@bp.post("/statements")
def upload_statement():
    """Upload one statement: matched credits settle their orders, the rest wait on this page."""
    upload = request.files.get("statement")
    if upload is None or not upload.filename:
        return _page("Choose the statement file to upload (camt.053 XML or CSV).", 422)
    try:
        done = statements.upload(current_app.config, current_user_doc(), upload.filename, upload.stream)
    except uploads.UploadTooLarge as too_large:
        return _page(str(too_large), 413)
    except errors.Refused as refused:  # unreadable or a duplicate: kept, recorded, explained
        return _page(str(refused), 422)
    summary = done["summary"]
    flash(f"Statement read: {summary['settled']} settled, {summary['flagged']} flagged (under- or overpaid), "
          f"{summary['review']} waiting for a decision, {summary['repeated']} already seen in an earlier statement.",
          "success")
    return redirect_to("orders_admin.show_statement", statement_id=done["_id"])


@bp.get("/statements/<statement_id>")
def show_statement(statement_id: str):
    """One statement: its file, and each entry with what became of it."""
    view = statements.statement(current_app.config, current_user_doc(), statement_id)
    return render_template("orders_admin/statement.html", **view)


@bp.post("/statements/entries/<entry_id>/decision")
def decide_entry(entry_id: str):
    """Assign a waiting entry to an order by its reference, or mark it to be refunded or ignored."""
    form = request.form
    if form.get("action") in SET_ASIDE and not confirm.confirmed():
        return confirm.ask_again(f"{SET_ASIDE[form['action']]} this entry?", url_for("orders_admin.list_statements"),
                                 f"Yes, {SET_ASIDE[form['action']].lower()} it",
                                 "It can then no longer settle an order. This cannot be undone.")
    try:
        status = statements.decide(current_app.config, current_user_doc(), entry_id, form.get("action", ""),
                                   form.get("reason", ""), form.get("reference", ""))
    except errors.Refused as refused:
        return _page(str(refused), 422, failed=entry_id)
    flash(f"Entry decided: {status_label(status, 'bank_entry')}.", "success")
    return redirect_to("orders_admin.list_statements")


def _page(refusal: str = "", status: int = 200, failed: str = ""):
    view = statements.overview(current_app.config, current_user_doc())
    return render_template("orders_admin/statements.html", refusal=refusal, failed=failed,
                           csv_columns=CSV_REQUIRED + CSV_OPTIONAL, **view), status
