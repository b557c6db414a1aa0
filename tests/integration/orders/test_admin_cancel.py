"""Staff cancel an unpaid order with a reason; settled orders go back to minting only while no mint job claimed them."""

from __future__ import annotations

from eth_account import Account

from app.data.order_payments import offerings_with_settled_unminted
from app.domain.orders import placement as ordering
from app.domain.orders import reservations
from app.domain.orders import review as order_admin
from app.domain.orders.minting import mint_ready_orders
from app.tasks.settlement import requeue_minting
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import login, make_user, post
from tests.fixtures.orders import order_form, quick_investor


def test_staff_cancel_an_unpaid_order_with_a_reason_the_investor_reads(app, db, offering, investor, admin_client):
    placed = post(investor["client"], f"/invest/{offering['_id']}/order", order_form(20))
    assert placed.status_code == 303
    order = db.orders.find_one({"userId": investor["_id"]})
    assert reservations.reserved(app.config, offering["_id"]) == 20
    url = f"/admin/orders/{order['_id']}"
    assert 'href="/admin/orders/"' in admin_client.get("/admin/").text  # the back office's section link
    assert 'href="/admin/orders/transfers"' in admin_client.get("/admin/orders/").text
    assert "Cancel this unpaid order" in admin_client.get(url).text

    blank = post(admin_client, url + "/cancel", {"reason": "  ", "confirm": "yes"})
    assert blank.status_code == 422 and "Give a reason: the investor reads it." in blank.text
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "pending_payment"

    done = post(admin_client, url + "/cancel", {"reason": "The offering's allocation was revised.", "confirm": "yes"})
    assert done.status_code == 303
    cancelled = db.orders.find_one({"_id": order["_id"]})
    assert cancelled["status"] == "cancelled" and cancelled["cancelledByStaff"]
    assert cancelled["cancelReason"] == "The offering's allocation was revised."
    assert reservations.reserved(app.config, offering["_id"]) == 0  # back on sale, and within the investor's limit
    assert reservations.reserved(app.config, offering["_id"], investor["_id"]) == 0
    mail = db.outbox.find_one({"to": investor["email"], "subject": "Libertum: Your order was cancelled"})
    assert "The offering's allocation was revised." in mail["body"] and order["paymentReference"] in mail["body"]
    audited = {"event": "order.cancelled_by_admin", "details.orderId": str(order["_id"])}
    assert db.auditLogs.count_documents(audited) == 1

    status_url = f"/orders/{order['_id']}/status"
    polled = investor["client"].get(status_url + "?shown=pending_payment:0", headers={"HX-Request": "true"}).text
    assert 'hx-select="#main"' in polled and 'hx-trigger="load"' in polled  # the open page reloads its content
    assert "hx-get" not in investor["client"].get(status_url + "?shown=cancelled:0").text  # then stops polling
    page = investor["client"].get(f"/orders/{order['_id']}").text
    assert "Cancelled by Libertum: The offering&#39;s allocation was revised. No payment is due for it." in page
    assert "How to pay" not in page and 'href="/portfolio/orders"' in page
    assert "by Libertum: The offering&#39;s allocation was revised." in investor["client"].get("/portfolio/orders").text

    again = post(admin_client, url + "/cancel", {"reason": "Twice", "confirm": "yes"})
    assert again.status_code == 422 and "This order is cancelled" in again.text
    assert db.outbox.count_documents({"to": investor["email"], "subject": "Libertum: Your order was cancelled"}) == 1


def test_a_paid_order_cannot_be_cancelled_by_staff_and_others_cannot_cancel(app, db, offering, investor, admin_client):
    admin = make_user("subadmin", permissions=["orders"])
    buyer = investor
    order = ordering.place(app.config, buyer, str(offering["_id"]), order_form(20))
    assert order_admin.record_fiat_payment(app.config, admin, str(order["_id"]), "2,030.00") == "settled"
    page = investor["client"].get(f"/orders/{order['_id']}").text
    assert "$2,030 by bank transfer, recorded" in page and "How to pay" not in page
    refused = post(admin_client, f"/admin/orders/{order['_id']}/cancel",
                   {"reason": "Changed our mind", "confirm": "yes"})
    assert refused.status_code == 422 and "This order is settled; only an order still waiting" in refused.text

    unpaid = ordering.place(app.config, buyer, str(offering["_id"]), order_form(10))
    assert post(investor["client"], f"/admin/orders/{unpaid['_id']}/cancel", {"reason": "x"}).status_code == 403
    outsider = app.test_client()
    login(outsider, make_user("subadmin", permissions=["kyc", "whitelist"]))
    assert post(outsider, f"/admin/orders/{unpaid['_id']}/cancel", {"reason": "x"}).status_code == 403
    assert db.orders.find_one({"_id": unpaid["_id"]})["status"] == "pending_payment"
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "settled"


def test_requeue_finds_settled_orders_no_mint_job_claimed(app, db):
    """`flask chain requeue`'s list: settled and unminted, and no claim in mintClaims (claimed ones are their job's)."""
    offering = list_offering(db, offering_doc(fee=0, tokenAddress=Account.create().address))
    admin = make_user("subadmin", permissions=["orders"])
    first = ordering.place(app.config, quick_investor(db, offering), str(offering["_id"]), order_form(10))
    ordering.place(app.config, quick_investor(db, offering), str(offering["_id"]), order_form(10))  # stays unpaid
    assert offerings_with_settled_unminted(db) == []
    order_admin.record_fiat_payment(app.config, admin, str(first["_id"]), "1,000.00")
    assert offerings_with_settled_unminted(db) == [offering["_id"]]

    assert len(mint_ready_orders(app.config, offering["_id"])) == 1  # claims it (no worker runs the job here)
    assert db.mintClaims.find_one({"_id": first["_id"]}) is not None
    assert offerings_with_settled_unminted(db) == [] and requeue_minting(app.config) == []

    later = ordering.place(app.config, quick_investor(db, offering), str(offering["_id"]), order_form(10))
    order_admin.record_fiat_payment(app.config, admin, str(later["_id"]), "1,000.00")
    assert requeue_minting(app.config) == [offering["_id"]]
    db.orders.update_many({"offeringId": offering["_id"], "isSettled": True}, {"$set": {"isMinted": True}})
    assert offerings_with_settled_unminted(db) == []
