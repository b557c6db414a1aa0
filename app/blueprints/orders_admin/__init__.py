"""Back office for orders (permission `orders`): the blueprint shared by its view modules (routes: orders and
stablecoin transfers; statement_views: bank statements; search_views: order search)."""

from __future__ import annotations

from flask import Blueprint

from app.access import access_default
from app.domain.accounts.permissions import staff

bp = Blueprint("orders_admin", __name__, url_prefix="/admin/orders", template_folder="templates")
access_default(bp, staff("orders"))
