"""Cancelling an order asks first without JavaScript too: a plain form POST (no `confirm`) and the link's GET
answer with a confirmation page and cancel nothing; its button (confirm=yes) cancels. htmx keeps hx-confirm."""

from __future__ import annotations

from app.domain.orders import reservations
from tests.fixtures.accounts import post
from tests.integration.orders.test_investor_pages import place


def test_a_cancel_without_the_confirmation_only_asks(app, db, offering, investor):
    client = investor["client"]
    order_url = place(client, offering, tokens="20").headers["Location"]
    order = db.orders.find_one({})
    page = client.get(order_url).text
    assert """hx-vals='{"confirm": "yes"}'""" in page and "hx-confirm=" in page  # htmx asks in the browser

    for asked in (post(client, order_url + "/cancel"), client.get(order_url + "/cancel")):
        assert asked.status_code == 200
        assert f"Cancel order {order['paymentReference']}?" in asked.text and "cannot be undone" in asked.text
        assert 'name="confirm" value="yes"' in asked.text and f'href="{order_url}"' in asked.text
    assert db.orders.find_one({})["status"] == "pending_payment"
    assert reservations.reserved(app.config, offering["_id"]) == 20

    done = post(client, order_url + "/cancel", {"confirm": "yes"})
    assert done.status_code == 303 and db.orders.find_one({})["status"] == "cancelled"
    assert reservations.reserved(app.config, offering["_id"]) == 0
    # A cancelled order has nothing left to ask about: the question's link leads back to the order.
    assert client.get(order_url + "/cancel").headers["Location"].endswith(order_url)


def test_htmx_cancels_with_the_confirmation_it_adds(db, offering, investor):
    client = investor["client"]
    order_url = place(client, offering, tokens="20").headers["Location"]
    done = post(client, order_url + "/cancel", {"confirm": "yes"}, headers={"HX-Request": "true"})
    assert done.status_code == 204 and done.headers["HX-Redirect"].endswith(order_url)
    assert db.orders.find_one({})["status"] == "cancelled"
