"""Portfolio: the signed-in investor's holdings, orders, transactions and dividends, and their CSV exports.

Every view reads only the investor's own data (by their user id and proven wallets) through
one call of app.domain.portfolio.service; GET never writes.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from app.access import current_user_doc
from app.blueprints.htmx import page_or_fragment
from app.domain.portfolio import service as portfolio_service
from app.domain.portfolio.rules import signed_percent, units

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio", template_folder="templates")


@bp.app_template_filter("token_units")
def token_units(base: int, decimals: int = 0) -> str:
    return units(base, decimals)


@bp.app_template_filter("signed_percent")
def signed_percent_filter(bps: int | None) -> str:
    return signed_percent(bps)


def _user_id():
    return current_user_doc()["_id"]


@bp.get("/")
def show_portfolio():
    """Totals, allocation and value over time, and the holdings per offering."""
    return render_template("portfolio/index.html", portfolio=portfolio_service.overview(current_app.config, _user_id()))


@bp.get("/value-chart")
def show_value_chart():
    """Value over time; htmx loads it into the overview after the page, others get it as a page."""
    chart = portfolio_service.value_chart(current_app.config, _user_id())
    return page_or_fragment("portfolio/value_chart.html", "portfolio/_value_chart.html", chart=chart)


@bp.get("/orders")
def list_orders():
    """The investor's orders; htmx polls the table while an order is still moving."""
    view = portfolio_service.order_list(current_app.config, _user_id())
    return page_or_fragment("portfolio/orders.html", "portfolio/_orders.html", portfolio=view)


@bp.get("/transactions")
def list_transactions():
    """Mints, transfers, burns and freezes of the investor's wallets, with transaction hashes."""
    return render_template("portfolio/transactions.html",
                           portfolio=portfolio_service.transaction_list(current_app.config, _user_id()))


@bp.get("/dividends")
def list_dividends():
    """Dividends declared for the investor's wallets and what was received."""
    view = portfolio_service.dividend_list(current_app.config, _user_id())
    return render_template("portfolio/dividends.html", portfolio=view)


@bp.get("/export/<any(holdings, orders, transactions):kind>.csv")
def export_csv(kind: str):
    """Holdings, orders or transactions as a CSV download (formula-safe cells)."""
    text = portfolio_service.export(current_app.config, _user_id(), kind)
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="libertum-{kind}.csv"',
                             "Cache-Control": "no-store"})
