"""Portfolio: Holdings per offering, orders, dividends, transactions and transfers."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio", template_folder="templates")


@bp.get("/")
def show_portfolio():
    """Landing page of the portfolio area."""
    return render_template("portfolio/index.html")
