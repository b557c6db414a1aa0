"""Exactly once when things go wrong: a crash between settling an entry and marking it, and several staff uploading
statements that repeat the same entry at the same moment."""

from __future__ import annotations

import hashlib
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from app.data import orders as order_docs
from app.domain.payments import statements
from tests.integration.statements.conftest import upload
from tests.integration.statements.helpers import Credit, camt053


def test_an_entry_left_unmarked_by_a_crash_is_finished_by_the_next_upload_and_counted_once(app, db, place, staff):
    order = place()
    file = camt053("CR-1", [Credit("CR-0001", "2030.00", order["paymentReference"])])
    response = upload(staff, file)
    statement_id = response.headers["Location"].rsplit("/", 1)[1]
    # As if the process died after settlement recorded the payment but before the entry was marked:
    db.bankEntries.update_one({"statementId": statement_id}, {"$set": {"status": "new"}})
    again = upload(staff, file)
    assert again.status_code == 422 and "already uploaded" in again.text
    assert db.bankEntries.find_one({"statementId": statement_id})["status"] == "settled"
    settled = order_docs.get(db, order["_id"])
    assert settled["status"] == "settled" and len(settled["payments"]) == 1 and settled["paidAmount"] == 203000


def test_statements_repeating_one_entry_uploaded_at_once_settle_it_once(app, db, place, auth):
    order = place()
    uploaders = [auth("subadmin", permissions=["orders"]).user for _ in range(4)]
    files = [camt053(f"RACE-{n}", [Credit("RACE-ENTRY", "2030.00", order["paymentReference"]),
                                   Credit(f"OTHER-{n}", "1.00", "fee refund")]) for n in range(4)]
    barrier = threading.Barrier(len(files))

    def send(n: int):
        with app.app_context():
            barrier.wait()
            return statements.upload(app.config, uploaders[n], f"s{n}.xml", io.BytesIO(files[n]))["summary"]

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        summaries = list(pool.map(send, range(len(files))))
    assert sum(s["settled"] for s in summaries) == 1 and sum(s["repeated"] for s in summaries) == 3
    settled = order_docs.get(db, order["_id"])
    assert settled["status"] == "settled" and len(settled["payments"]) == 1 and settled["paidAmount"] == 203000
    assert db.bankEntries.count_documents({"bankRef": "RACE-ENTRY"}) == 1
    assert db.bankStatements.count_documents({"status": "processed"}) == 4


def test_an_upload_interrupted_before_its_entries_is_finished_by_uploading_the_file_again(app, db, place, staff):
    order = place()
    file = camt053("CR-2", [Credit("CR-0002", "2030.00", order["paymentReference"]),
                            Credit("CR-0003", "5.00", "unknown")])
    digest = hashlib.sha256(file).hexdigest()
    started = {"_id": digest, "fileName": "s.xml", "size": len(file), "uploadedBy": staff.user["_id"],
               "uploadedByEmail": staff.user["email"], "status": "received"}
    db.bankStatements.insert_one({**started, "uploadedAt": datetime.now(UTC)})
    busy = upload(staff, file)  # still being read by its first upload: not applied twice, not lost
    assert busy.status_code == 422 and "being read right now" in busy.text
    assert order_docs.get(db, order["_id"])["status"] == "pending_payment"
    db.bankStatements.update_one({"_id": digest}, {"$set": {"uploadedAt": datetime.now(UTC) - timedelta(minutes=6)}})
    db.bankEntries.insert_one({"_id": statements.entry_key(statements.read(file).entries[1], digest,
                                                           app.config["BANK_IBAN"]),
                               "statementId": digest, "bankRef": "CR-0003", "position": 2, "credit": True,
                               "amount": 500, "currency": "USD", "text": "unknown", "status": "unmatched"})
    finished = upload(staff, file)  # the interrupted run had stored one entry: the rest is done now
    assert finished.status_code == 303
    assert order_docs.get(db, order["_id"])["status"] == "settled"
    assert db.bankStatements.find_one({"_id": digest})["summary"]["repeated"] == 0
    assert db.bankEntries.find_one({"bankRef": "CR-0003"}).get("alsoIn") is None
