"""The back office's orders: permission, filters, keyset pages, CSV export, fiat payments, freezes."""

from __future__ import annotations

import csv
import io

from bson import ObjectId
from eth_account import Account

from app.data import offerings as offering_docs
from app.data import orders as order_docs
from app.domain.orders import placement as ordering
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import login, make_user, post
from tests.fixtures.orders import order_form, quick_investor


def placed(app, db, offering, tokens: int = 20, method: str = "fiat", investor: dict | None = None) -> dict:
    investor = investor or quick_investor(db, offering)
    return ordering.place(app.config, investor, str(offering["_id"]), order_form(tokens, method=method))


def test_only_staff_with_the_orders_permission_see_orders(app, db, offering, investor):
    order = placed(app, db, offering)
    for path in ("/admin/orders/", f"/admin/orders/{order['_id']}"):
        assert investor["client"].get(path).status_code == 403
    assert post(investor["client"], "/admin/orders/export.csv").status_code == 403
    outsider = app.test_client()
    login(outsider, make_user("subadmin", permissions=["kyc", "whitelist"]))
    assert outsider.get("/admin/orders/").status_code == 403
    assert post(outsider, f"/admin/orders/{order['_id']}/payment", {"amount": "2030"}).status_code == 403
    assert order_docs.get(db, order["_id"])["status"] == "pending_payment"


def test_filters_combine_and_pages_continue_where_the_last_ended(app, db, offering, admin_client):
    other = list_offering(db, offering_doc(title="Canal Works", fee=0,
                                           paymentAddress=Account.create().address))
    alice = quick_investor(db, offering)
    db.users.update_one({"_id": alice["_id"]}, {"$set": {"email": "alice@example.com"}})
    alice["email"] = "alice@example.com"
    mine = [placed(app, db, offering, investor=alice) for _ in range(3)]
    for _ in range(55):
        placed(app, db, offering, 10)
    flagged = placed(app, db, other, 30)
    db.orders.update_one({"_id": flagged["_id"]}, {"$set": {"status": "payment_review", "paymentFlag": "underpaid",
                                                            "paymentFlagReason": "Paid $10 of $3,000"}})

    def rows(query: str) -> list[str]:
        page = admin_client.get("/admin/orders/" + query)
        assert page.status_code == 200
        return page.text.split('data-testid="order-row"')[1:]

    assert len(rows("?email=alice")) == 3
    assert all(m["paymentReference"] in "".join(rows("?email=ALICE@ex")) for m in mine)
    assert len(rows(f"?offering={other['_id']}")) == 1
    assert len(rows("?flagged=1")) == 1 and len(rows("?status=payment_review&method=fiat")) == 1
    assert rows("?status=nonsense&method=%24ne") and len(rows("?method=crypto")) == 0

    first = admin_client.get("/admin/orders/")
    assert first.text.count('data-testid="order-row"') == 50 and "Older orders" in first.text
    before = first.text.split("before=")[1].split("&")[0].split('"')[0]
    rest = admin_client.get(f"/admin/orders/?before={before}", headers={"HX-Request": "true"})
    assert rest.text.count('data-testid="order-row"') == 9 and "<html" not in rest.text
    seen = {r.split("/admin/orders/")[1].split('"')[0] for r in first.text.split('data-testid="order-row"')[1:]}
    more = {r.split("/admin/orders/")[1].split('"')[0] for r in rest.text.split('data-testid="order-row"')[1:]}
    assert not seen & more and len(seen | more) == 59


def test_the_csv_export_holds_the_filtered_orders_and_runs_no_formula(app, db, admin_client):
    hostile = list_offering(db, offering_doc(title='=HYPERLINK("http://evil.example","x")', fee=150))
    order = placed(app, db, hostile, 25)
    placed(app, db, list_offering(db, offering_doc(title="Elsewhere")), 10)
    response = post(admin_client, "/admin/orders/export.csv", {"offering": str(hostile["_id"])})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == 1
    row = table[0]
    assert row["offering"] == "'" + hostile["overview"]["title"]
    assert (row["order"], row["tokens"], row["price"], row["amount"], row["fee"], row["total"]) == (
        str(order["_id"]), "25", "100.00", "2500.00", "37.50", "2537.50")
    assert row["reference"] == order["paymentReference"] and row["status"] == "pending_payment"
    assert db.auditLogs.count_documents({"event": "orders.exported"}) == 1


def test_a_bank_transfer_marked_received_settles_the_order_once(app, db, offering, admin_client):
    order = placed(app, db, offering, 20)  # $2,000 + 1.5 % = $2,030
    url = f"/admin/orders/{order['_id']}"
    page = admin_client.get(url)
    assert "Mark payment received" in page.text
    response = post(admin_client, url + "/payment", {"amount": "2,030.00"})
    assert response.status_code == 303
    stored = order_docs.get(db, order["_id"])
    assert stored["status"] == "settled" and stored["isSettled"] and stored["paidAmount"] == 2_030_00
    assert "Payment recorded. Order status: Paid, minting." in admin_client.get(url).text
    again = post(admin_client, url + "/payment", {"amount": "2,030.00"})
    assert again.status_code == 303 and order_docs.get(db, order["_id"])["paidAmount"] == 2_030_00
    refused = admin_client.get(url).text
    assert "only an order waiting for its payment (or for the rest of it) can be marked paid" in refused
    assert db.auditLogs.count_documents({"event": "order.payment_received"}) == 1


def test_a_short_bank_transfer_is_flagged_not_accepted(app, db, offering, admin_client):
    order = placed(app, db, offering, 20)
    post(admin_client, f"/admin/orders/{order['_id']}/payment", {"amount": "2000"})
    stored = order_docs.get(db, order["_id"])
    assert stored["status"] == "payment_review" and stored["paymentFlag"] == "underpaid"
    assert not stored["isSettled"]
    flagged = admin_client.get("/admin/orders/?flagged=1")
    assert stored["paymentReference"] in flagged.text


def test_the_rest_of_a_short_bank_payment_settles_the_order_once(app, db, offering, admin_client, investor):
    order = placed(app, db, offering, 20, investor=investor)  # $2,030 due
    url = f"/admin/orders/{order['_id']}"
    post(admin_client, url + "/payment", {"amount": "2,000.00"})
    investor_page = investor["client"].get(f"/orders/{order['_id']}").text
    assert "How to pay the rest" in investor_page and 'data-testid="bank-amount">$30' in investor_page
    assert "(required: a payment is already recorded)" in admin_client.get(url).text
    post(admin_client, url + "/payment", {"amount": "30.00"})  # no transfer id: it would look like the first
    assert "enter the bank&#39;s id of this second transfer" in admin_client.get(url).text
    assert order_docs.get(db, order["_id"])["paidAmount"] == 2_000_00
    for _ in range(2):  # the same transfer posted twice is recorded once
        post(admin_client, url + "/payment", {"amount": "30.00", "transfer": "BANK-TX-77"})
    stored = order_docs.get(db, order["_id"])
    assert stored["status"] == "settled" and stored["paidAmount"] == 2_030_00 and len(stored["payments"]) == 2
    assert offering_docs.by_id(db, offering["_id"])["raisedAmount"] == 2_000_00  # the raise counts once


def test_payment_input_and_method_are_checked(app, db, offering, admin_client):
    order = placed(app, db, offering, 20)
    post(admin_client, f"/admin/orders/{order['_id']}/payment", {"amount": "two thousand"})
    assert "Enter the amount received" in admin_client.get(f"/admin/orders/{order['_id']}").text
    db.orders.update_one({"_id": order["_id"]}, {"$set": {"paymentMethod": "crypto"}})
    post(admin_client, f"/admin/orders/{order['_id']}/payment", {"amount": "2030"})
    assert "matched on chain, not marked by hand" in admin_client.get(f"/admin/orders/{order['_id']}").text
    assert order_docs.get(db, order["_id"])["paidAmount"] == 0
    assert admin_client.get(f"/admin/orders/{ObjectId()}").status_code == 404


def test_freezing_needs_minted_tokens_and_sends_one_chain_job(app, db, offering, admin_client):
    order = placed(app, db, offering, 20)
    url = f"/admin/orders/{order['_id']}"
    post(admin_client, url + "/freeze")
    assert "Only minted tokens can be frozen" in admin_client.get(url).text
    token = Account.create().address
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"tokenAddress": token}})
    db.orders.update_one({"_id": order["_id"]}, {"$set": {"status": "minted", "isMinted": True, "isSettled": True}})

    post(admin_client, url + "/freeze")
    post(admin_client, url + "/freeze")  # a double click
    job = db.chainJobs.find_one({"_id": f"freezePartialTokens:order:{order['_id']}:1"})
    assert job is not None and job["target"] == token
    assert db.chainJobs.count_documents({"op": "freezePartialTokens"}) == 1
    stored = order_docs.get(db, order["_id"])
    assert (stored["isFreezed"], stored["freezePending"]) == (False, "freezing"), "frozen once the chain confirms it"
    page = admin_client.get(url).text
    assert "already freezing" in page and "freezing… (waiting for the chain)" in page
    post(admin_client, url + "/unfreeze")  # not before the freeze is confirmed
    assert db.chainJobs.find_one({"_id": f"unfreezePartialTokens:order:{order['_id']}:2"}) is None
    assert db.auditLogs.count_documents({"event": {"$in": ["order.frozen", "order.unfrozen"]}}) == 1
