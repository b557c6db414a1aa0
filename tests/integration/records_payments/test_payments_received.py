"""Payments received, as staff read them in the transactions record: each bank payment settlement recorded,
paged by keyset without repeating an order, and the stablecoin transfers no order took."""

from __future__ import annotations

import csv
import io
import re

from app.data import payments
from app.domain.payments.settlement import settle
from tests.fixtures.accounts import make_user, signed_in_client


def test_bank_payments_are_listed_once_each_and_paged_by_order(app, db, offering, investor, place, admin):
    ivy = investor()
    placed = [place(ivy, 1, method="fiat", minutes=n) for n in range(53)]
    for order in placed:
        settle(app.config, order["_id"], paid_amount=order["totalAmount"],
               source={"kind": "fiat", "reference": order["paymentReference"], "by": admin["_id"]})
    settle(app.config, placed[0]["_id"], paid_amount=placed[0]["totalAmount"],  # the same payment marked again
           source={"kind": "fiat", "reference": placed[0]["paymentReference"], "by": admin["_id"]})
    place(ivy, 2, method="fiat")  # unpaid: no payment to list
    staff = signed_in_client(app, make_user("subadmin", permissions=["orders"]))
    first = staff.get("/admin/transactions/payments?kind=fiat").text
    assert first.count('data-testid="payment-row"') == 50
    more = re.search(r'hx-get="([^"]+)"', first).group(1).replace("&amp;", "&")
    rest = staff.get(more, headers={"HX-Request": "true"}).text
    assert rest.count('data-testid="payment-row"') == 3 and "Older payments" not in rest
    references = re.findall(r">(LIB-[0-9A-F]{8})</a>", first + rest)
    assert sorted(references) == sorted(o["paymentReference"] for o in placed)
    assert "$103" in first  # 1 token at $100.00 with the 3 % fee, in cents through the money formatter
    exported = list(csv.DictReader(io.StringIO(staff.get("/admin/transactions/payments.csv?kind=fiat").text)))
    assert sorted(row["reference"] for row in exported) == sorted(o["paymentReference"] for o in placed)
    assert {row["amount"] for row in exported} == {str(placed[0]["totalAmount"])}
    assert {row["amount unit"] for row in exported} == {"cents"}


def test_stablecoin_transfers_no_order_took_are_listed(app, db):
    payments.record(db, "crypto:0xabc:1", {"token": "0x1", "from": "0x00000000000000000000000000000000000000f1",
                                           "to": "0x2", "amount": 10**24, "txHash": "0xabc", "logIndex": 1})
    payments.set_status(db, "crypto:0xabc:1", "unmatched", "no order fits")
    staff = signed_in_client(app, make_user("admin"))
    page = staff.get("/admin/transactions/payments?kind=crypto").text
    assert page.count('data-testid="unplaced-transfer"') == 1 and str(10**24) in page
    assert staff.get("/admin/transactions/payments?kind=%24where&before=zz").status_code == 200
