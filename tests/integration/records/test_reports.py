"""Reports per offering and platform-wide, and the investor statement, on FerretDB through the web app.

Figures are checked in the CSV each report downloads (the page shows the same table)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bson import ObjectId
from eth_account import Account

from app.data import user_details, users
from tests.factories import list_offering, offering_doc
from tests.fixtures.accounts import make_user, signed_in_client
from tests.fixtures.chain_events import apply, log_message

ZERO = "0x0000000000000000000000000000000000000000"
JAN, FEB = datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 2, 10, tzinfo=UTC)


def _rows(client, url: str) -> list[list[str]]:
    answer = client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "text/csv", url
    return list(csv.reader(io.StringIO(answer.text)))[1:]


def _investor(db, country: str, kind: str = "individual", **kyc) -> dict:
    user = make_user("investor")
    users.set_fields(db, user["_id"], {"residenceCountry": country, **kyc})
    db.userdetails.update_one({"userId": user["_id"]}, {"$set": {"accountType": kind}}, upsert=True)
    return user


def _order(user, offering, quantity, status, settled=None, method="fiat", at=JAN) -> dict:
    return {"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"], "quantity": quantity,
            "amount": quantity * 100_00, "feeAmount": 50, "totalAmount": quantity * 100_00 + 50,
            "paymentMethod": method, "status": status, "isSettled": status == "settled", "orderReceived": at,
            "paymentReference": f"LIB-{quantity}", **({"settledAt": settled} if settled else {})}


def _scripted(db):
    issuer = make_user("issuer")
    mine = list_offering(db, offering_doc(title="Report Court", createdBy=issuer["_id"], tokenAddress="0x" + "a1" * 20))
    other = list_offering(db, offering_doc(title="Other Court", createdBy=make_user("issuer")["_id"]))
    gb, fr, inst = _investor(db, "GB"), _investor(db, "FR"), _investor(db, "FR", "institution")
    db.orders.insert_many([_order(gb, mine, 10, "settled", JAN), _order(fr, mine, 20, "settled", FEB, "crypto"),
                           _order(inst, mine, 5, "pending_payment"), _order(fr, mine, 1, "cancelled"),
                           _order(gb, other, 7, "settled", FEB)])
    db.whitelists.insert_many([
        {"userId": gb["_id"], "offeringId": mine["_id"], "status": "approved"},
        {"userId": fr["_id"], "offeringId": mine["_id"], "status": "signed", "is_signed": True},
        {"userId": inst["_id"], "offeringId": mine["_id"], "status": "declined"}])
    db.dividends.insert_many([
        {"offeringId": mine["_id"], "offeringName": "Report Court", "walletAddress": "0x1", "dividendAmount": 1_234,
         "status": "paid", "recordDate": FEB},
        {"offeringId": mine["_id"], "offeringName": "Report Court", "walletAddress": "0x2", "dividendAmount": 766,
         "status": "due", "recordDate": FEB}])
    db.transferrequets.insert_one({"userId": gb["_id"], "offeringId": mine["_id"], "status": "completed",
                                   "walletAddress": "0x1", "newWalletAddress": "0x3", "tokenQuantity": "4",
                                   "createdAt": FEB})
    return issuer, mine, other, (gb, fr, inst)


def test_offering_reports_count_the_offerings_own_figures(app, db):
    issuer, mine, _other, _people = _scripted(db)
    wallet = Account.create().address
    apply(db, log_message("Transfer", mine["tokenAddress"], {"from": ZERO, "to": wallet, "value": 10}),
          log_message("Transfer", mine["tokenAddress"], {"from": wallet, "to": ZERO, "value": 3}))
    client = signed_in_client(app, issuer)
    base = f"/reports/offerings/{mine['_id']}"
    assert sorted(_rows(client, f"{base}/investors.csv")) == [["FR", "individual", "1"], ["FR", "institution", "1"],
                                                              ["GB", "individual", "1"]]
    assert _rows(client, f"{base}/raise.csv") == [["2026-01", "1", "100000", "50", "100000"],
                                                  ["2026-02", "1", "200000", "50", "300000"]]
    assert sorted(_rows(client, f"{base}/orders.csv")) == [["cancelled", "fiat", "1", "10050"],
                                                           ["pending_payment", "fiat", "1", "50050"],
                                                           ["settled", "crypto", "1", "200050"],
                                                           ["settled", "fiat", "1", "100050"]]
    assert _rows(client, f"{base}/whitelist.csv")[:2] == [["Requested", "2"], ["Signed", "2"]]
    assert _rows(client, f"{base}/whitelist.csv")[-1] == ["Rejected, declined or expired", "1"]
    assert _rows(client, f"{base}/distributions.csv")[-1] == ["total paid", "", "", "", "", "1234", "paid"]
    transfers = _rows(client, f"{base}/transfers.csv")
    assert [row[0] for row in transfers] == ["request", "chain mint", "chain burn"]
    assert [row[6:8] for row in transfers] == [["4", "4"], ["10", "10"], ["3", "3"]]  # tokens, base units (0 decimals)
    page = client.get(base).text
    assert "Raise by month" in page and "Report Court" in page and "Other Court" not in page


def test_platform_reports_and_who_may_read_reports(app, db):
    issuer, mine, other, _people = _scripted(db)
    staff = signed_in_client(app, make_user("subadmin", permissions=["offerings"]))
    assert _rows(staff, "/reports/raise.csv")[-1] == ["2026-02", "2", "270000", "100", "370000"]
    kyc = dict(_rows(staff, "/reports/kyc.csv"))
    assert kyc["Signed up"] == "3"
    assert staff.get(f"/reports/offerings/{other['_id']}").status_code == 200
    index = staff.get("/reports/").text
    assert f"/issuer/offerings/{mine['_id']}/dashboard" in index and f"/reports/offerings/{other['_id']}" in index
    assert staff.get(f"/issuer/offerings/{mine['_id']}/dashboard").status_code == 200
    assert staff.get("/reports/unknown.csv").status_code == 404

    own = signed_in_client(app, issuer)
    assert own.get("/reports/").status_code == 403, "platform-wide figures are staff's"
    assert own.get(f"/reports/offerings/{other['_id']}").status_code == 404
    assert own.get(f"/reports/offerings/{other['_id']}/raise.csv").status_code == 404
    investor = signed_in_client(app, make_user("investor"))
    assert investor.get(f"/reports/offerings/{mine['_id']}").status_code == 404


def test_the_investor_statement_covers_the_range_for_the_investor_and_staff_only(app, db):
    _issuer, mine, _other, (gb, _fr, _inst) = _scripted(db)
    wallet = Account.create().address
    user_details.add_verified_wallet(db, gb["_id"], wallet, "EIP-1193")
    minted = log_message("Transfer", mine["tokenAddress"], {"from": ZERO, "to": wallet, "value": 10})
    moved = log_message("Transfer", mine["tokenAddress"], {"from": wallet, "to": ZERO, "value": 4})
    minted["blockTimestamp"], moved["blockTimestamp"] = int(JAN.timestamp()), int(FEB.timestamp())
    apply(db, minted, moved)
    db.dividends.insert_one({"offeringId": mine["_id"], "offeringName": "Report Court", "walletAddress": wallet,
                             "dividendAmount": 2_500, "status": "paid", "recordDate": FEB})

    client = signed_in_client(app, gb)
    january = client.get("/reports/statement?start=2026-01-01&end=2026-01-31").text
    assert january.count('data-testid="statement-holding"') == 1 and ">10</td>" in january
    assert january.count('data-testid="statement-order"') == 2  # both of the investor's orders were placed then
    assert 'data-testid="statement-distribution"' not in january
    year = client.get("/reports/statement?start=2026-01-01&end=2026-12-31").text
    assert ">6</td>" in year and 'data-testid="statement-distributed">$25' in year
    bad = client.get("/reports/statement?start=2026-02-01&end=2026-01-01")
    assert bad.status_code == 422 and "before the start date" in bad.text
    assert client.get("/reports/statement?start=%C2%B2&end=x").status_code == 422

    staff = signed_in_client(app, make_user("subadmin", permissions=["users"]))
    read = staff.get(f"/reports/statement/{gb['_id']}?start=2026-01-01&end=2026-12-31").text
    assert 'data-testid="statement"' in read and gb["email"] in read
    assert staff.get(f"/reports/statement/{ObjectId()}?start=2026-01-01&end=2026-12-31").status_code == 404
    assert client.get(f"/reports/statement/{gb['_id']}").status_code == 403


def test_the_transfers_report_shows_tokens_and_dates_for_people_and_the_csv_keeps_base_units(app, db):
    """18 decimals and a supply past int64: each offering's decimals are applied to its own rows, exactly."""
    issuer = make_user("issuer")
    big = list_offering(db, offering_doc(title="Big Court", createdBy=issuer["_id"], tokenAddress="0x" + "b2" * 20,
                                         details={"tokenDecimals": 18}))
    small = list_offering(db, offering_doc(title="Small Court", createdBy=issuer["_id"], tokenAddress="0x" + "c3" * 20,
                                           details={"tokenDecimals": 2}))
    wallet = Account.create().address
    db.transferrequets.insert_one({"userId": issuer["_id"], "offeringId": big["_id"], "status": "completed",
                                   "walletAddress": "0x1", "newWalletAddress": "0x3",
                                   "tokenQuantity": "1500000000000000000000", "createdAt": FEB})
    huge = 123_456_789_012 * 10**18 + 5  # past int64, with a last base unit a float would lose
    stamp = int(datetime(2026, 3, 4, 9, 30, tzinfo=UTC).timestamp())
    apply(db, {**log_message("Transfer", big["tokenAddress"], {"from": ZERO, "to": wallet, "value": huge}),
               "blockTimestamp": stamp},
          log_message("Transfer", small["tokenAddress"], {"from": ZERO, "to": wallet, "value": 12_345}, block=4242))
    staff = signed_in_client(app, make_user("subadmin", permissions=["offerings"]))

    header = next(csv.reader(io.StringIO(staff.get("/reports/transfers.csv").text)))
    assert header[6:8] == ["tokens", "token base units"] and header[1] == "when"
    rows = {row[0]: row for row in _rows(staff, "/reports/transfers.csv")}
    assert rows["request"][6:8] == ["1500", "1500000000000000000000"]
    mints = [row for row in _rows(staff, "/reports/transfers.csv") if row[0] == "chain mint"]
    by_amount = {row[7]: row for row in mints}
    assert by_amount[str(huge)][6] == "123456789012.000000000000000005"
    assert by_amount[str(huge)][1].startswith("2026-03-04T09:30:00")
    assert by_amount["12345"][6] == "123.45" and by_amount["12345"][1] == "block 4242"

    page = staff.get("/reports/").text
    section = page[page.index('data-testid="report-transfers"'):]
    section = section[:section.index("</section>")]
    assert "Token base units" not in section and "<th scope=\"col\">Tokens</th>" in section
    assert "1,500" in section and "123,456,789,012.000000000000000005" in section and "123.45" in section
    assert "4 Mar 2026, 09:30 UTC" in section and "block 4242" in section
    assert ">4242<" not in section
