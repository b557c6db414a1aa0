"""Issuer: one offering's dashboard (raise, orders, whitelist pipeline, investors, cap table, documents, events)
and its cap table as CSV.

Open to any signed-in user at the route; app.domain.issuer_dashboard.service decides: the offering's
issuer, or staff with the offerings permission. Anyone else gets the 404 of an unknown offering.
"""

from __future__ import annotations

from flask import Response, render_template

from app.access import access, current_user_doc
from app.blueprints.issuer.routes import bp
from app.domain.accounts.permissions import SIGNED_IN
from app.domain.issuer_dashboard import service as dashboards


@bp.get("/offerings/<offering_id>/dashboard")
@access(SIGNED_IN)
def show_offering_dashboard(offering_id: str):
    """The offering's figures for its issuer (or staff)."""
    return render_template("issuer/dashboard.html", board=dashboards.dashboard(current_user_doc(), offering_id))


@bp.get("/offerings/<offering_id>/cap-table.csv")
@access(SIGNED_IN)
def export_cap_table(offering_id: str):
    """The cap table as a CSV download (formula-safe cells, exact token amounts)."""
    name, text = dashboards.cap_table_csv(current_user_doc(), offering_id)
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                        "Cache-Control": "no-store"})
