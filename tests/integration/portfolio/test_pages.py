"""The portfolio pages rendered from real documents: holdings, orders, events, dividends as the platform writes them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain import ZERO
from tests.fixtures.chain_events import apply, investor_with_wallet, log_message

NOW = datetime.now(UTC)


def token_address(n: int) -> str:
    return "0x" + f"{n:040x}"


def order(user, offering, quantity: int, *, status: str = "minted", price: int = 100_00, fee_pct: int = 2,
          **fields) -> dict:
    amount = quantity * price
    fee = amount * fee_pct // 100
    return {"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"],
            "walletAddress": user["wallets"][0], "quantity": quantity, "price": price, "amount": amount,
            "feesInPercentage": fee_pct, "feeAmount": fee, "totalAmount": amount + fee, "paymentMethod": "fiat",
            "status": status, "isSettled": status in ("settled", "minted"), "isMinted": status == "minted",
            "isFreezed": False, "orderReceived": NOW - timedelta(days=3), "createdAt": NOW - timedelta(days=3),
            "idempotencyKey": str(ObjectId()), "paymentReference": f"LIB-{str(ObjectId())[-8:].upper()}", **fields}


@pytest.fixture
def book(app, db):
    """Alice holds 30 Harbour (10 of them frozen) bought at $100 + 2 % and 5 Canal; Bob holds 7 Bobs' Tower."""
    harbour = list_offering(db, offering_doc(title="Harbour Lofts", tokenAddress=token_address(1), details={
        "latestNav": 120_00, "tokenTicker": "HBL"},
        navHistory=[{"date": NOW - timedelta(days=1), "nav": 120_00}]))
    canal = list_offering(db, offering_doc(title="Canal Works", tokenAddress=token_address(2),
                                           details={"tokenDecimals": 2, "latestNav": 50_00,
                                                                    "tokenTicker": "CAN"}))
    tower = list_offering(db, offering_doc(title="Bobs Tower", tokenAddress=token_address(3)))
    alice, bob = investor_with_wallet(db), investor_with_wallet(db)
    a, b = alice["wallets"][0], bob["wallets"][0]
    canal_order = order(alice, canal, 500, price=50_00, fee_pct=0, amount=250_00, totalAmount=250_00)  # 5.00 tokens
    db.orders.insert_many([order(alice, harbour, 30), canal_order,
                           order(alice, harbour, 4, status="pending_payment"), order(bob, tower, 7)])
    events = apply(db,
                   log_message("Transfer", harbour["tokenAddress"], {"from": ZERO, "to": a, "value": 30}),
                   log_message("TokensFrozen", harbour["tokenAddress"], {"_userAddress": a, "_amount": 10}),
                   log_message("Transfer", canal["tokenAddress"], {"from": ZERO, "to": a, "value": 500}),
                   log_message("Transfer", tower["tokenAddress"], {"from": ZERO, "to": b, "value": 7}))
    db.dividends.insert_many([
        {"offeringId": harbour["_id"], "offeringName": "Harbour Lofts", "walletAddress": a, "dividendAmount": 45_00,
         "status": "paid", "dividendType": "rental", "recordDate": NOW - timedelta(days=1)},
        {"offeringId": tower["_id"], "offeringName": "Bobs Tower", "walletAddress": b, "dividendAmount": 99_00,
         "status": "paid", "dividendType": "rental", "recordDate": NOW}])
    return {"alice": alice, "bob": bob, "harbour": harbour, "canal": canal, "tower": tower, "events": events}


def test_overview_values_holdings_at_the_latest_nav_with_cost_and_gain(app, book):
    page = signed_in_client(app, book["alice"]).get("/portfolio/")
    assert page.status_code == 200
    html = page.text
    # 30 x $120 + 5.00 x $50 = $3,850; cost 30 x $102 + 5 x $50 = $3,310; gain $540 = 16.31 %
    assert 'data-testid="total-value">$3,850</dd>' in html
    assert "$3,310" in html and "+$540 (+16.31%)" in html
    assert "10 frozen" in html and 'data-testid="balance">5</span> CAN' in html
    assert "Harbour Lofts" in html and "Canal Works" in html and "Bobs Tower" not in html
    assert 'aria-label="Allocation by offering"' in html and "Harbour Lofts: 93.51%" in html
    chart = signed_in_client(app, book["alice"]).get("/portfolio/value-chart", headers={"HX-Request": "true"}).text
    assert 'aria-label="Portfolio value over time"' in chart and "<html" not in chart


def test_another_investors_data_never_shows(app, book):
    bob = signed_in_client(app, book["bob"])
    pages = {path: bob.get(path).text for path in ("/portfolio/", "/portfolio/orders", "/portfolio/transactions",
                                                   "/portfolio/dividends", "/portfolio/export/holdings.csv",
                                                   "/portfolio/export/orders.csv",
                                                   "/portfolio/export/transactions.csv")}
    for path, text in pages.items():
        assert "Harbour" not in text and "Canal" not in text, path
        assert book["alice"]["wallets"][0] not in text, path
    assert "Bobs Tower" in pages["/portfolio/"] and "$99" in pages["/portfolio/dividends"]
    assert book["events"][3]["transactionHash"] in pages["/portfolio/transactions"]


def test_orders_page_shows_live_status_and_polls_only_while_an_order_moves(app, db, book):
    alice = signed_in_client(app, book["alice"])
    page = alice.get("/portfolio/orders").text
    assert "Awaiting payment" in page and "Minted" in page and 'hx-trigger="every 5s"' in page
    pending = db.orders.find_one({"userId": book["alice"]["_id"], "status": "pending_payment"})
    assert pending["paymentReference"] in page and f'href="/orders/{pending["_id"]}"' in page
    assert alice.get(f"/orders/{pending['_id']}").status_code == 200  # the order's own page, with how to pay
    fragment = alice.get("/portfolio/orders", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="orders"' in fragment.text
    db.orders.update_one({"_id": pending["_id"]}, {"$set": {"status": "cancelled"}})
    settled = alice.get("/portfolio/orders", headers={"HX-Request": "true"}).text
    assert "Cancelled" in settled and "every 5s" not in settled


def test_transactions_list_mints_and_freezes_with_their_hashes(app, book):
    html = signed_in_client(app, book["alice"]).get("/portfolio/transactions").text
    for event in book["events"][:3]:
        assert event["transactionHash"] in html
    assert "Minted" in html and "Tokens frozen" in html
    assert book["events"][3]["transactionHash"] not in html


def test_dividends_show_what_was_received(app, book):
    html = signed_in_client(app, book["alice"]).get("/portfolio/dividends").text
    assert 'data-testid="dividends-received">$45</dd>' in html and "Bobs Tower" not in html


def test_csv_exports_are_downloads_of_the_investors_rows_and_formula_safe(app, db, book):
    db.offerings.update_one({"_id": book["canal"]["_id"]}, {"$set": {"overview.title": "=HYPERLINK(\"x\")"}})
    alice = signed_in_client(app, book["alice"])
    response = alice.get("/portfolio/export/holdings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_title = {r["offering"]: r for r in rows}
    assert by_title["Harbour Lofts"]["tokens"] == "30" and by_title["Harbour Lofts"]["frozen tokens"] == "10"
    assert by_title["'=HYPERLINK(\"x\")"]["tokens"] == "5.00"
    orders = list(csv.DictReader(io.StringIO(alice.get("/portfolio/export/orders.csv").text)))
    assert sorted(r["status"] for r in orders) == ["minted", "minted", "pending_payment"]
    txs = list(csv.DictReader(io.StringIO(alice.get("/portfolio/export/transactions.csv").text)))
    assert {r["kind"] for r in txs} == {"Minted", "Tokens frozen"} and len(txs) == 3
    assert alice.get("/portfolio/export/secrets.csv").status_code == 404


def test_a_new_investor_is_guided_to_connect_a_wallet_then_to_the_marketplace(app, db):
    newcomer = make_user("investor")
    client = signed_in_client(app, newcomer)
    for path in ("/portfolio/", "/portfolio/transactions", "/portfolio/dividends"):
        page = client.get(path)
        assert page.status_code == 200 and "Connect a wallet" in page.text, path
    assert "No orders yet" in client.get("/portfolio/orders").text
    with_wallet = signed_in_client(app, investor_with_wallet(db))
    html = with_wallet.get("/portfolio/").text
    assert "No tokens yet" in html and "/offerings" in html


def test_only_signed_in_investors_reach_the_portfolio(app):
    assert app.test_client().get("/portfolio/").status_code == 302
    issuer = signed_in_client(app, make_user("issuer"))
    assert issuer.get("/portfolio/").status_code == 403
    assert issuer.get("/portfolio/export/orders.csv").status_code == 403
