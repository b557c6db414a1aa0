"""Webhooks from outside providers (KYC, e-signature, payments): signed, enqueued, answered fast."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from app.extensions import csrf

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)  # providers authenticate by signature over the raw body, not by a session


@bp.get("/")
def list_webhooks():
    """The provider endpoints this blueprint serves, so an operator can configure them."""
    rules = sorted(r.rule for r in current_app.url_map.iter_rules()
                   if r.endpoint.startswith("webhooks.") and r.endpoint != "webhooks.list_webhooks")
    return jsonify(webhooks=rules)
