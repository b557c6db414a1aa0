"""Issuer blueprint: the offering wizard (routes), each offering's dashboard (dashboard_views) and its NAV
updates (nav_views), whose routes join the same blueprint when this package is imported."""

from app.blueprints.issuer import dashboard_views, nav_views  # noqa: F401  (register their routes on the blueprint)
