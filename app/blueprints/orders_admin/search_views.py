"""Back office: order search by payment reference, investor, amount and date range (permission `orders`),
in keyset pages; htmx asks for the rows only (the "More results" link and the form's live search)."""

from __future__ import annotations

from flask import request

from app.access import current_user_doc
from app.blueprints.htmx import page_or_fragment
from app.blueprints.orders_admin import bp
from app.domain.orders import search as order_search


@bp.get("/search")
def search_orders():
    """Orders matching every criterion given, newest first; bad criteria are explained next to the form."""
    search = order_search.Search.parse(request.args)
    page = order_search.search_page(current_user_doc(), search, request.args.get("before", ""))
    return page_or_fragment("orders_admin/search.html", "orders_admin/_search_rows.html", page=page, search=search)
