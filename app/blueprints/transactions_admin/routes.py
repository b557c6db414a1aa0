"""Back office: every chain transaction the platform sent (filters, keyset pages, CSV) and the failed chain
jobs with a safe retry and a resolution by hand. Needs the `orders` permission; decisions are audited.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for

from app.access import access_default, current_user_doc
from app.blueprints.backoffice import Question, decide
from app.blueprints.htmx import page_or_fragment
from app.domain.accounts.permissions import staff
from app.domain.transactions import exports, observed, payments, rules
from app.domain.transactions import service as record

bp = Blueprint("transactions_admin", __name__, url_prefix="/admin/transactions", template_folder="templates")
access_default(bp, staff("orders"))


@bp.get("/")
def list_transactions():
    """The record, newest first; htmx asks for the next rows only."""
    filters = rules.parse_filters(request.args)
    page = record.page(filters, request.args.get("after"))
    return page_or_fragment("transactions_admin/list.html", "transactions_admin/_rows.html", page=page,
                            filters=filters, endpoints=current_app.view_functions)


@bp.get("/export.csv")
def export_transactions():
    """The filtered record as a CSV download."""
    text = exports.record_csv(record.all_rows(rules.parse_filters(request.args)))
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=transactions.csv",
                                                        "Cache-Control": "no-store"})


@bp.get("/failed")
def list_failed():
    """Failed chain jobs not resolved yet, with their contract's reason and what can be done."""
    return render_template("transactions_admin/failed.html", rows=record.failed(),
                           endpoints=current_app.view_functions)


@bp.post("/failed/retry")
def retry_job():
    """Send a failed job again once (a mint: only its held orders); a second click sends nothing."""
    return decide(url_for("transactions_admin.list_failed"), record.retry, current_user_doc(),
                  request.form.get("job_id", ""), done="{}")


@bp.post("/failed/resolve")
def resolve_job():
    """Close a failed job by hand, with the reason (audit-logged); asks first."""
    return decide(url_for("transactions_admin.list_failed"), record.resolve, current_user_doc(),
                  request.form.get("job_id", ""), request.form.get("reason", ""), done="Job resolved by hand.",
                  ask=Question("Resolve this failed job by hand?", "Yes, resolve it",
                               "It is closed without being sent again: do this only once the operation was done "
                               "or is no longer wanted. This cannot be undone."))


@bp.get("/payments")
def list_payments():
    """Payments received by kind (bank transfers, stablecoin), newest orders first; htmx asks for more rows."""
    page = payments.page(request.args.get("kind", "fiat"), request.args.get("before"))
    return page_or_fragment("transactions_admin/payments.html", "transactions_admin/_payment_rows.html", page=page,
                            endpoints=current_app.view_functions)


@bp.get("/observed")
def list_observed():
    """Every chain event the platform observed, newest first, marked with the job that sent it (if the platform did)."""
    page = observed.page(request.args.get("event", ""), request.args.get("after"))
    return page_or_fragment("transactions_admin/observed.html", "transactions_admin/_observed_rows.html", page=page)


@bp.get("/payments.csv")
def export_payments():
    """Payments received of one kind as a CSV download."""
    text = exports.payments_csv(payments.all_rows(request.args.get("kind", "fiat")))
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=payments.csv",
                                                        "Cache-Control": "no-store"})
