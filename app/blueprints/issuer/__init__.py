"""Issuer blueprint: the offering wizard (routes) and each offering's dashboard (dashboard_views, whose routes
join the same blueprint when this package is imported)."""

from app.blueprints.issuer import dashboard_views  # noqa: F401  (registers the dashboard's routes on the blueprint)
