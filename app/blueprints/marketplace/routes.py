"""Marketplace: the home page and the live offerings visitors and investors browse."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from app.domain.marketplace import live_offerings

bp = Blueprint("marketplace", __name__, template_folder="templates")


@bp.get("/")
def show_home():
    """Home page: what the platform is, and the newest live offerings."""
    return render_template("marketplace/home.html", offerings=live_offerings(current_app.config, limit=6))


@bp.get("/offerings")
def list_offerings():
    """Every live offering."""
    return render_template("marketplace/offerings.html", offerings=live_offerings(current_app.config, limit=48))
