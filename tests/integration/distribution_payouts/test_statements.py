"""The investor's distributions page and yearly statement (page and CSV): figures from the paid lines of the year,
holdings at year end replayed from the chain events of their wallets, cost basis from their minted orders."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bson import ObjectId
from eth_account import Account

from app.chain.constants import ZERO_ADDRESS as ZERO
from app.data import dividends
from tests.factories import distribution_with_lines, list_offering, offering_doc
from tests.fixtures.accounts import signed_in_client
from tests.fixtures.chain_events import apply, investor_with_wallet, log_message

TOKEN = "0x" + "5A" * 20


def transfer(args: dict, at: datetime) -> dict:
    message = log_message("Transfer", TOKEN, args)
    message["blockTimestamp"] = int(at.timestamp())
    return message


def paid(db, distribution: dict, wallet: str, at: datetime, reference: str) -> None:
    dividends.set_status(db, [dividends.line_id(distribution["_id"], wallet)], ("declared",),
                         {"status": "paid", "paidAt": at, "bankReference": reference})


def investor_with_a_year(app, db):
    """An investor who held 70 tokens at the end of 2025 (100 minted in March, 30 sent away in November, 50 more
    minted in 2026), with two distributions paid in 2025, one in 2026 and one still upcoming."""
    user = investor_with_wallet(db)
    wallet = user["wallets"][0]
    offering = list_offering(db, offering_doc(title="Statement Flats", tokenAddress=TOKEN))
    db.orders.insert_many([
        {"_id": ObjectId(), "offeringId": offering["_id"], "userId": user["_id"], "walletAddress": wallet,
         "quantity": 100, "totalAmount": 10_000_00, "isSettled": True, "isMinted": True, "status": "minted",
         "orderMinted": datetime(2025, 3, 1, tzinfo=UTC)},
        {"_id": ObjectId(), "offeringId": offering["_id"], "userId": user["_id"], "walletAddress": wallet,
         "quantity": 50, "totalAmount": 6_000_00, "isSettled": True, "isMinted": True, "status": "minted",
         "orderMinted": datetime(2026, 2, 1, tzinfo=UTC)}])
    apply(db, transfer({"from": ZERO, "to": wallet, "value": 100}, datetime(2025, 3, 1, 10, tzinfo=UTC)),
          transfer({"from": wallet, "to": Account.create().address, "value": 30}, datetime(2025, 11, 1, tzinfo=UTC)),
          transfer({"from": ZERO, "to": wallet, "value": 50}, datetime(2026, 2, 1, tzinfo=UTC)))
    common = {"payment_method": "fiat", "offering_id": offering["_id"], "user_ids": {wallet: user["_id"]},
              "offering_name": "Statement Flats"}
    june = distribution_with_lines(db, {wallet: 120_33}, withheld={wallet: 21_24}, **common)
    december = distribution_with_lines(db, {wallet: 80_00}, **common)
    january = distribution_with_lines(db, {wallet: 99_99}, **common)
    upcoming = distribution_with_lines(db, {wallet: 55_55}, withheld={wallet: 5_00}, **common)
    paid(db, june, wallet, datetime(2025, 6, 30, 12, tzinfo=UTC), "B-JUNE")
    paid(db, december, wallet, datetime(2025, 12, 31, 23, 59, tzinfo=UTC), "B-DEC")
    paid(db, january, wallet, datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "B-JAN")  # the next year, by a minute
    return user, upcoming


def test_the_yearly_statement_lists_the_years_distributions_holdings_and_cost_basis(app, db):
    user, _ = investor_with_a_year(app, db)
    client = signed_in_client(app, user)
    page = client.get("/portfolio/statement?year=2025")
    assert page.status_code == 200
    text = page.text
    assert text.count('data-testid="statement-row"') == 2, "June and 31 December, not 1 January"
    assert 'data-testid="total-gross">$221.57<' in text  # 141.57 + 80.00
    assert 'data-testid="total-withheld">$21.24<' in text
    assert 'data-testid="total-net">$200.33<' in text
    assert text.count('data-testid="statement-holding"') == 1
    assert ">70<" in text, "100 minted - 30 sent; the 2026 mint not counted"
    assert "$7,000" in text, "cost basis: 70 of the 100 tokens bought for $10,000"
    rows = list(csv.DictReader(io.StringIO(client.get("/portfolio/statement.csv?year=2025").text)))
    lines = [r for r in rows if r["section"] == "distribution"]
    assert [(r["date"], r["gross"], r["withheld"], r["net"], r["reference"]) for r in lines] == [
        ("2025-06-30", "141.57", "21.24", "120.33", "B-JUNE"), ("2025-12-31", "80.00", "0.00", "80.00", "B-DEC")]
    total = next(r for r in rows if r["section"] == "total")
    assert (total["gross"], total["withheld"], total["net"]) == ("221.57", "21.24", "200.33")
    holding = next(r for r in rows if r["section"] == "holding")
    assert (holding["tokens held at year end"], holding["cost basis"]) == ("70", "7000.00")
    next_year = client.get("/portfolio/statement.csv?year=2026").text
    assert "B-JAN" in next_year and "B-JUNE" not in next_year


def test_a_bad_year_is_said_and_nothing_breaks(app, db):
    user, _ = investor_with_a_year(app, db)
    client = signed_in_client(app, user)
    for typed in ("1999", "20x5", "٢٠٢٥", "9" * 40, "3000"):
        answer = client.get(f"/portfolio/statement?year={typed}")
        assert answer.status_code == 400 and "four digits" in answer.text
        assert client.get(f"/portfolio/statement.csv?year={typed}").status_code == 400


def test_the_distributions_page_shows_upcoming_and_received_net_with_the_waterfall(app, db):
    user, _ = investor_with_a_year(app, db)
    client = signed_in_client(app, user)
    text = client.get("/portfolio/distributions").text
    assert text.count('data-testid="received-line"') == 3
    assert text.count('data-testid="upcoming-line"') == 1
    assert "$55.55</strong> net" in text and "$60.55 gross" in text
    assert 'data-testid="distributions-received">$300.32<' in text  # 120.33 + 80.00 + 99.99
    assert text.count('data-testid="waterfall"') == 4
    assert "Gross rent" in text
    record = client.get("/portfolio/transactions").text
    assert record.count('data-testid="distribution-payment"') == 3, "the transactions record lists the payments"
    assert "B-JUNE" in record and "$120.33" in record
    other = signed_in_client(app, investor_with_wallet(db))
    assert "Statement Flats" not in other.get("/portfolio/distributions").text, "only one's own lines"
