"""Back office for offerings: their review and deployment (routes) and NAV proposals (nav_views, whose routes
join the same blueprint when this package is imported)."""

from app.blueprints.offering_admin import nav_views  # noqa: F401  (registers the NAV routes on the blueprint)
