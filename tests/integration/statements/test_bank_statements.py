"""Bank statements on the real stack: credits settle their orders once, the rest waits for a decision with the reason,
and every bad file is explained, kept for audit and settles nothing."""

from __future__ import annotations

from pathlib import Path

from app.data import orders as order_docs
from app.domain.payments import statements
from tests.fixtures.accounts import post
from tests.integration.statements.conftest import upload
from tests.integration.statements.helpers import Credit, camt053, csv_statement


def _order(db, order) -> dict:
    return order_docs.get(db, order["_id"])


def _entries(db, statement_id: str) -> dict[str, dict]:
    return {e["bankRef"]: e for e in db.bankEntries.find({"statementId": statement_id})}


def test_a_camt053_statement_settles_three_orders_flags_a_short_one_lists_an_unknown_credit_and_applies_once(
        app, db, place, staff):
    paid = [place() for _ in range(3)]
    short = place()
    file = camt053("STMT-1", [
        Credit("BK-001", "2030.00", f"Order {paid[0]['paymentReference']}"),
        Credit("BK-002", "2030.00", f"payment for {paid[1]['paymentReference'].lower()} thanks"),
        Credit("BK-003", "2030.00", paid[2]["paymentReference"].replace("-", " ")),
        Credit("BK-004", "1000.00", f"{short['paymentReference']} first half"),
        Credit("BK-005", "450.00", "rent december"),
        Credit("BK-006", "12.00", "bank fees", debit=True),
    ])
    response = upload(staff, file)
    assert response.status_code == 303
    assert [_order(db, o)["status"] for o in paid] == ["settled"] * 3
    flagged = _order(db, short)
    assert (flagged["status"], flagged["paymentFlag"]) == ("payment_review", "underpaid")
    assert "$1,030" in flagged["paymentFlagReason"]
    statement_id = response.headers["Location"].rsplit("/", 1)[1]
    entries = _entries(db, statement_id)
    assert {k: e["status"] for k, e in entries.items()} == {
        "BK-001": "settled", "BK-002": "settled", "BK-003": "settled", "BK-004": "flagged", "BK-005": "unmatched",
        "BK-006": "debit"}
    page = staff.get("/admin/orders/statements")
    assert page.text.count('data-testid="waiting-entry"') == 1 and "rent december" in page.text
    assert "No order reference" in page.text
    assert page.text.count('data-testid="partial-entry"') == 1 and short["paymentReference"] in page.text

    again = upload(staff, file, "the-same-file-renamed.xml")
    assert again.status_code == 422 and "already uploaded" in again.text
    for order in paid:
        assert len(_order(db, order)["payments"]) == 1 and _order(db, order)["paidAmount"] == 203000
    assert _order(db, short)["paidAmount"] == 100000

    # The end-of-day statement repeats BK-001 and brings the rest of the short order: only the new entry applies.
    later = upload(staff, camt053("STMT-2", [
        Credit("BK-001", "2030.00", f"Order {paid[0]['paymentReference']}"),
        Credit("BK-007", "1030.00", f"rest of {short['paymentReference']}")]))
    assert later.status_code == 303
    assert len(_order(db, paid[0])["payments"]) == 1
    assert _order(db, short)["status"] == "settled" and _order(db, short)["paidAmount"] == 203000
    second = _entries(db, later.headers["Location"].rsplit("/", 1)[1])
    assert list(second) == ["BK-007"] and second["BK-007"]["status"] == "settled"
    assert db.bankEntries.find_one({"bankRef": "BK-001"})["alsoIn"] == [later.headers["Location"].rsplit("/", 1)[1]]
    assert db.auditLogs.count_documents({"event": "statement.duplicate"}) == 1
    assert 'data-testid="partial-entry"' not in staff.get("/admin/orders/statements").text  # settled by the rest


def test_a_csv_statement_settles_its_order_and_reports_another_currency_and_a_cancelled_order(app, db, place, staff):
    order, cancelled = place(), place()
    db.orders.update_one({"_id": cancelled["_id"]}, {"$set": {"status": "cancelled", "cancelReason": "changed mind"}})
    file = csv_statement([Credit("C-1", "2030.00", order["paymentReference"]),
                          Credit("C-2", "2030.00", "euro payment " + order["paymentReference"], currency="EUR"),
                          Credit("C-3", "2030.00", cancelled["paymentReference"])])
    response = upload(staff, file, "statement.csv")
    assert response.status_code == 303
    assert _order(db, order)["status"] == "settled" and len(_order(db, order)["payments"]) == 1
    assert _order(db, cancelled)["status"] == "cancelled" and not _order(db, cancelled).get("payments")
    entries = _entries(db, response.headers["Location"].rsplit("/", 1)[1])
    assert entries["C-2"]["status"] == "other_currency" and "Paid in EUR" in entries["C-2"]["reason"]
    assert entries["C-3"]["status"] == "order_closed" and "was cancelled (changed mind)" in entries["C-3"]["reason"]
    page = staff.get("/admin/orders/statements").text
    assert "Paid in EUR" in page and "was cancelled" in page


def test_bad_files_are_explained_kept_for_audit_and_settle_nothing(app, db, place, staff):
    order = place()
    cases = {
        "broken.xml": (camt053("X", [Credit("M-1", "2030.00", order["paymentReference"])])[:-40], "malformed"),
        "notes.txt": (b"hello,this is not a statement\n" + order["paymentReference"].encode(),
                      "Unknown statement format"),
        "report.xml": (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>',
                       "not an ISO 20022 camt.053"),
        "bad.csv": (b"entry_reference,booking_date,amount,currency,reference\nZ-1,2026-12-04,20,30.00,USD,"
                    + order["paymentReference"].encode() + b"\n", "columns"),
        "amount.csv": (b"entry_reference,booking_date,amount,currency,reference\nZ-2,2026-12-04,1e5,USD,x\n",
                       "is not a positive decimal"),
        "laughs.xml": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                       b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
                       b'camt.053.001.08"><x>&lol3;</x></Document>', "entities"),
        "external.xml": (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                         b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&x;</Document>',
                         "entities"),
    }
    for name, (data, said) in cases.items():
        response = upload(staff, data, name)
        assert response.status_code == 422, name
        assert said in response.text, name
    assert _order(db, order)["status"] == "pending_payment" and not _order(db, order).get("payments")
    kept = list(db.bankStatements.find({}))
    assert len(kept) == len(cases) and all(s["status"] == "refused" and s["error"] for s in kept)
    folder = Path(app.config["UPLOAD_DIR"]) / "bank-statements"
    assert all((folder / f"{s['_id']}.statement").is_file() for s in kept)
    assert db.bankEntries.count_documents({}) == 0
    assert db.auditLogs.count_documents({"event": "statement.refused"}) == len(cases)
    assert upload(staff, b"", "empty.csv").status_code == 422
    assert post(staff, "/admin/orders/statements").status_code == 422


def test_a_file_above_the_upload_limit_is_refused_with_413(app, staff):
    big = b"entry_reference,booking_date,amount,currency,reference\n" + b"x" * int(app.config["UPLOAD_MAX_BYTES"])
    response = upload(staff, big, "big.csv")
    assert response.status_code == 413 and "larger than the limit" in response.text


def test_staff_decide_waiting_entries_once(app, db, place, staff):
    order = place()
    response = upload(staff, camt053("D-1", [Credit("W-1", "2030.00", "no reference here"),
                                             Credit("W-2", "99.00", "unknown"), Credit("W-3", "5.00", "gift")]))
    entries = _entries(db, response.headers["Location"].rsplit("/", 1)[1])
    decide = "/admin/orders/statements/entries/{}/decision"
    refused = post(staff, decide.format(entries["W-2"]["_id"]), {"action": "refund", "reason": "", "confirm": "yes"})
    assert refused.status_code == 422 and "Give the reason" in refused.text
    wrong = post(staff, decide.format(entries["W-1"]["_id"]), {"action": "assign", "reference": "LIB-2222-3333"})
    assert wrong.status_code == 422 and "No order has the reference LIB-2222-3333" in wrong.text
    assigned = post(staff, decide.format(entries["W-1"]["_id"]),
                    {"action": "assign", "reference": order["paymentReference"]})
    assert assigned.status_code == 303 and _order(db, order)["status"] == "settled"
    twice = post(staff, decide.format(entries["W-1"]["_id"]),
                 {"action": "assign", "reference": order["paymentReference"]})
    assert twice.status_code == 422 and len(_order(db, order)["payments"]) == 1
    assert post(staff, decide.format(entries["W-2"]["_id"]),
                {"action": "refund", "reason": "unknown payer", "confirm": "yes"}).status_code == 303
    assert post(staff, decide.format(entries["W-3"]["_id"]),
                {"action": "ignore", "reason": "bank test credit", "confirm": "yes"}).status_code == 303
    statuses = {k: db.bankEntries.find_one({"_id": e["_id"]})["status"] for k, e in entries.items()}
    assert statuses == {"W-1": "assigned", "W-2": "refund_due", "W-3": "ignored"}
    assert db.bankEntries.find_one({"_id": entries["W-2"]["_id"]})["decision"]["reason"] == "unknown payer"
    assert post(staff, decide.format("0" * 32),
                {"action": "ignore", "reason": "x", "confirm": "yes"}).status_code == 404


def test_only_staff_with_the_orders_permission_reach_statements(app, auth, staff):
    data = camt053("P-1", [Credit("P-1", "1.00", "x")])
    for client in (auth("investor"), auth("subadmin", permissions=["kyc", "whitelist", "users"])):
        assert client.get("/admin/orders/statements").status_code == 403
        assert upload(client, data).status_code == 403
    assert staff.get("/admin/orders/statements").status_code == 200


def test_references_are_found_however_the_payer_wrote_them():
    assert statements.references_in("lib 7k2q 9xmd / thanks") == ["LIB-7K2Q-9XMD"]
    assert statements.references_in("LIB-7K2Q-9XMD and LIB-7K2Q-9XMD") == ["LIB-7K2Q-9XMD"]
    assert statements.references_in("LIB-7K2Q-9XMDX") == [] and statements.references_in("") == []


def test_an_entry_repeated_in_a_csv_without_its_account_is_still_the_same_entry(app, db, place, staff):
    order = place()
    assert upload(staff, camt053("X-1", [Credit("SAME-1", "2030.00", order["paymentReference"])])).status_code == 303
    csv_file = ("entry_reference,booking_date,amount,currency,reference\n"
                f"SAME-1,2026-12-04,2030.00,USD,{order['paymentReference']}\n").encode()
    assert app.config["BANK_IBAN"] == "GB33BUKB20201555555555"  # the helper's statement account
    response = upload(staff, csv_file, "export.csv")
    assert response.status_code == 303
    assert len(_order(db, order)["payments"]) == 1 and db.bankEntries.count_documents({"bankRef": "SAME-1"}) == 1
