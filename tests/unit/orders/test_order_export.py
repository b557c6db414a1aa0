"""The back office's filters and CSV cells, without any server."""

from datetime import UTC, datetime

import pytest
from bson import ObjectId
from werkzeug.datastructures import MultiDict

from app.domain.orders.review import Filters, csv_values, safe_cell


@pytest.mark.parametrize(("value", "shown"), [
    ("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Harbour Lofts", "Harbour Lofts"), (25, "25"), ("", ""),
])
def test_cells_a_spreadsheet_would_run_are_neutralised(value, shown):
    assert safe_cell(value) == shown


def test_unknown_filter_values_are_dropped_not_obeyed():
    filters = Filters.parse(MultiDict({"status": "$ne", "method": "cash", "offering": "nope", "email": " Bob@X ",
                                       "flagged": "1"}))
    assert filters == Filters(email="bob@x", flagged=True)
    query = filters.query()
    assert query["status"] == {"$in": ["pending_payment", "payment_review", "settled", "minted", "cancelled"]}
    assert query["investorEmail"] == {"$regex": "^bob@x"} and "paymentFlag" in query


def test_an_email_filter_is_matched_literally():
    assert Filters.parse(MultiDict({"email": "a.b+c@x"})).query()["investorEmail"] == {"$regex": r"^a\.b\+c@x"}


def test_money_is_written_from_cents_and_stablecoin_paid_in_base_units():
    order = {"_id": ObjectId(), "orderReceived": datetime(2026, 6, 1, 9, 30, tzinfo=UTC), "tokens": 12,
             "quantity": 12, "price": 100_00, "amount": 1_200_00, "feeAmount": 18_00, "totalAmount": 1_218_05,
             "paymentMethod": "crypto", "paidAmount": 12_180_500_000, "status": "settled"}
    row = dict(zip(("order", "placed", "investor", "offering", "wallet", "tokens", "quantity", "price", "amount",
                    "fee", "total", "method", "status", "flag", "reference", "paid"), csv_values(order), strict=False))
    assert (row["placed"], row["price"], row["total"], row["paid"]) == ("2026-06-01 09:30:00", "100.00", "1218.05",
                                                                        "12180500000")
