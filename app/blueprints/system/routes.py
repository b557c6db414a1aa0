"""Liveness and readiness probes for the load balancer and the supervisor."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from app.domain.platform.health import check_dependencies
from app.extensions import csrf

bp = Blueprint("system", __name__)
csrf.exempt(bp)


@bp.get("/healthz")
def show_liveness():
    """The process answers; says nothing about its dependencies."""
    return jsonify(status="alive")


@bp.get("/readyz")
def show_readiness():
    """200 when every dependency answers, 503 naming the ones that do not."""
    checks = check_dependencies(current_app.config)
    down = sorted(name for name, result in checks.items() if not result["up"])
    body = {"status": "ready" if not down else "unavailable", "down": down, "checks": checks}
    return jsonify(body), (503 if down else 200)
