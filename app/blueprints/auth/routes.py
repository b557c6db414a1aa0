"""Sign in: Investor sign-up, sign-in and two-factor authentication open here."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


@bp.get("/login")
def show_login():
    """Landing page of the auth area."""
    return render_template("auth/index.html")
