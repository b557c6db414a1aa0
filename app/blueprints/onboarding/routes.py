"""Onboarding: Identity verification (KYC for individuals, KYB for institutions), wallet proof and the
issuer application.
"""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("onboarding", __name__, url_prefix="/onboarding", template_folder="templates")


@bp.get("/")
def show_onboarding():
    """Landing page of the onboarding area."""
    return render_template("onboarding/index.html")
