"""Reports: platform-wide for staff with the offerings permission, one offering's for its issuer (or that
staff), each as CSV; the printable investor statement, for the investor or staff with the users permission.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from app.access import access, access_default, current_user_doc
from app.domain.accounts.permissions import INVESTORS, SIGNED_IN, staff
from app.domain.issuer_dashboard.exports import write
from app.domain.reports import service as reports
from app.domain.reports import statement as statements

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
access_default(bp, staff("offerings"))


def _csv(report: dict) -> Response:
    name = f"{report['name']}.csv"
    return Response(write(report["header"], report["rows"]), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/")
def show_reports():
    """Every report over all offerings."""
    return render_template("reports/index.html", board=reports.all_reports(current_user_doc()))


@bp.get("/<name>.csv")
def export_report(name: str):
    return _csv(reports.report(current_user_doc(), name))


@bp.get("/offerings/<offering_id>")
@access(SIGNED_IN)
def show_offering_reports(offering_id: str):
    """Every report of one offering (its issuer, or staff with the offerings permission)."""
    return render_template("reports/index.html", board=reports.all_reports(current_user_doc(), offering_id))


@bp.get("/offerings/<offering_id>/<name>.csv")
@access(SIGNED_IN)
def export_offering_report(offering_id: str, name: str):
    return _csv(reports.report(current_user_doc(), name, offering_id))


def _statement_page(user_id: str):
    start, end = request.args.get("start", ""), request.args.get("end", "")
    if not start and not end:
        return render_template("reports/statement.html", statement=None, start="", end="", error=None)
    try:
        period = statements.parse_period(start, end)
    except statements.BadRange as refusal:
        return render_template("reports/statement.html", statement=None, start=start[:20], end=end[:20],
                               error=str(refusal)), 422
    return render_template("reports/statement.html", statement=statements.statement(user_id, period),
                           start=period.start.isoformat(), end=period.end.isoformat(), error=None)


@bp.get("/statement")
@access(INVESTORS)
def show_own_statement():
    """The investor's own statement for the dates they choose, printable."""
    return _statement_page(str(current_user_doc()["_id"]))


@bp.get("/statement/<user_id>")
@access(staff("users"))
def show_statement(user_id: str):
    """Any investor's statement, for staff holding the users permission."""
    return _statement_page(user_id)
