"""Back office: User and KYC review, issuer requests, offering review and deployment, whitelist
approvals, orders, transfers, dividends, audit.
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/")
def show_dashboard():
    """Landing page of the admin area."""
    return render_template("admin/index.html")
