"""Issuer: Offering creation, raise tracking, investors, dividends and NAV updates."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("issuer", __name__, url_prefix="/issuer", template_folder="templates")


@bp.get("/")
def show_dashboard():
    """Landing page of the issuer area."""
    return render_template("issuer/index.html")
