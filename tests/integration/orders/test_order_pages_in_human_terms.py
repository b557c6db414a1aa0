"""The back office's order page reads in human terms: money formatted ("$2,030"), statuses as labels,
times with their zone, yes/no; never cents, base units or stored status words."""

from __future__ import annotations

from app.domain.orders import placement as ordering
from tests.fixtures.accounts import post
from tests.fixtures.orders import order_form, quick_investor


def test_the_admin_order_page_shows_money_and_status_for_people(app, db, offering, admin_client):
    investor = quick_investor(db, offering)
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(20, method="fiat"))
    url = f"/admin/orders/{order['_id']}"
    page = admin_client.get(url).text
    assert 'data-testid="order-status">Awaiting payment<' in page
    assert "Amount received (USD)" in page and 'placeholder="2,030"' in page
    assert post(admin_client, url + "/payment", {"amount": "2,030.00"}).status_code == 303
    page = admin_client.get(url).text
    assert "Payment recorded. Order status: Paid, minting." in page
    assert "<dd>$2,030</dd>" in page and "$2,030 — " in page  # the paid amount and the payment line
    assert 'data-testid="frozen">No' in page and " UTC" in page
    for raw in ("203000", "cents", "base units", "pending_payment", "settled<", "payment review"):
        assert raw not in page, raw
