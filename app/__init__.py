"""Application factory: wires settings, extensions, blueprints, error pages and CLI commands.

No connection is opened and no schema is changed here; those happen lazily on first use
or through the idempotent `flask` commands.
"""

from __future__ import annotations

import importlib

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as settings
from app.access import register_access
from app.auth import register_auth
from app.commands import register_commands
from app.data.mongo import mongo_client
from app.errors import register_errorhandlers
from app.extensions import csrf, limiter, redis_client
from app.formatting import register_template_filters
from app.logs import register_logging
from app.metrics import register_metrics
from app.security import register_security_headers
from app.sessions import register_sessions

BLUEPRINTS = ("system", "marketplace", "auth", "onboarding", "issuer", "portfolio", "admin", "review", "offering_admin",
              "webhooks", "whitelist", "whitelist_admin", "orders", "orders_admin", "parked_admin", "transfers_admin",
              "transactions_admin", "reports", "compliance", "holder_transfers", "transfer_requests", "token_opening",
              "distributions", "distributions_admin", "distribution_payouts", "conversion", "enforcement_admin",
              "compliance_limits")


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app from the environment; `overrides` replaces settings (tests)."""
    app = Flask(__name__)
    loaded = settings.load()
    app.config.update(loaded.as_flask_config())
    if overrides:
        app.config.update(overrides)
    register_logging(app)
    register_proxy(app)
    register_metrics(app)
    register_extensions(app)
    register_blueprints(app)
    register_access(app)
    register_errorhandlers(app)
    register_template_filters(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_proxy(app: Flask) -> None:
    """Behind the gateway (PROXY_HOPS=1) the client's address, scheme and host come from the one proxy's
    X-Forwarded-* headers, so rate limits and the audit log see the client, not nginx."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    csrf.init_app(app)
    redis_client.init_app(app)
    mongo_client.init_app(app)
    register_sessions(app)
    register_auth(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        module = importlib.import_module(f"app.blueprints.{name}.routes")
        app.register_blueprint(module.bp)
