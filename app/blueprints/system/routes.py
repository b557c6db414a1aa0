"""Probes for the gateway and the supervisor, the Prometheus scrape, and the operators' System page."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify

from app.access import access
from app.blueprints.htmx import page_or_fragment
from app.blueprints.system.instances import probe_all
from app.domain.accounts.permissions import ADMINS
from app.domain.platform.health import check_dependencies
from app.extensions import csrf, redis_client
from app.metrics import figures, history
from app.metrics.exposition import render, snapshot

bp = Blueprint("system", __name__, template_folder="templates")
csrf.exempt(bp)


@bp.get("/healthz")
def show_liveness():
    """The process answers; says nothing about its dependencies."""
    return jsonify(status="alive")


@bp.get("/readyz")
def show_readiness():
    """200 when every dependency answers (and, behind the gateway, at least one web instance), else 503
    naming what is down; behind the gateway each instance is listed with its own answer."""
    checks = check_dependencies(current_app.config)
    down = sorted(name for name, result in checks.items() if not result["up"])
    body = {"status": "ready", "down": down, "checks": checks}
    instances = probe_all(current_app.config["WEB_INSTANCE_URLS"])
    if instances:
        body["instances"] = instances
        if not any(instance["up"] for instance in instances):
            down.append("web instances")
    body["status"] = "unavailable" if down else "ready"
    return jsonify(body), (503 if down else 200)


@bp.get("/metrics")
def show_metrics():
    """Prometheus text exposition. Internal: the gateway answers 404 here; Prometheus scrapes an instance."""
    return Response(render(current_app.config), mimetype="text/plain; version=0.0.4; charset=utf-8")


@bp.get("/admin/system")
@access(ADMINS)
def show_system():
    """The same figures for operators without Prometheus, and their last two hours; htmx polls the panels."""
    figures_now = snapshot(current_app.config)
    redis = redis_client.get(current_app.config)
    history.record(redis, figures_now, time.time())  # one sample per minute, whoever takes it first
    return page_or_fragment("system/index.html", "system/_panels.html", panels=figures.panels(figures_now),
                            down=figures.sources_down(figures_now), trends=history.series(history.samples(redis)),
                            sparkline=history.sparkline)
