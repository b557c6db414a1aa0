"""Fiat payouts through the staff pages: the payment file, marking each line paid once with its bank reference,
importing the bank's statuses, refusals with what was typed kept, and who may see it."""

from __future__ import annotations

import csv
import io

from eth_account import Account

from app.data import distributions, dividends, users
from app.domain.distributions import fiat
from tests.factories import distribution_with_lines
from tests.fixtures.accounts import make_user, post
from tests.fixtures.processes import run_jobs


def fiat_distribution(db, holders: int = 3) -> tuple[dict, list[dict]]:
    people = [make_user("investor") for _ in range(holders)]
    wallets = [Account.create().address for _ in people]
    nets = {w: 100_00 * (n + 1) + n for n, w in enumerate(wallets)}  # 100.00, 200.01, 300.02
    dist = distribution_with_lines(db, nets, payment_method="fiat", withheld={wallets[0]: 25_00},
                                   user_ids={w: p["_id"] for w, p in zip(wallets, people, strict=True)})
    return dist, people


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_payment_file_lists_each_holder_with_net_amount_currency_and_reference(app, db, auth):
    dist, people = fiat_distribution(db)
    staff = auth("subadmin", permissions=["dividends"])
    answer = staff.get(f"/admin/distributions/{dist['_id']}/payments.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = read_csv(answer.text)
    assert len(rows) == 3
    names = {users.by_id(db, p["_id"])["legalFullName"] for p in people}
    assert {r["holder name"] for r in rows} == names
    assert sorted(r["net amount"] for r in rows) == ["100.00", "200.01", "300.02"]
    assert {r["currency"] for r in rows} == {"USD"}
    assert sorted(r["payment reference"] for r in rows) == [f"DIV-{str(dist['_id'])[-8:].upper()}-0000{n}"
                                                             for n in (1, 2, 3)]
    emails = {users.by_id(db, p["_id"])["legalFullName"]: p["email"] for p in people}
    assert all(emails[r["holder name"]] in r["account reference"] for r in rows)
    assert {line["status"] for line in dividends.of_distribution(db, dist["_id"])} == {"scheduled"}
    assert distributions.by_id(db, dist["_id"])["status"] == "paying"
    assert staff.get(f"/admin/distributions/{dist['_id']}/payments.csv").text == answer.text, "the same file again"
    assert f"/admin/distributions/{dist['_id']}/payout" in staff.get(f"/admin/distributions/{dist['_id']}").text


def test_each_line_is_marked_paid_once_and_the_holder_is_mailed_once(app, db, auth):
    dist, _ = fiat_distribution(db, holders=2)
    staff = auth("subadmin", permissions=["dividends"])
    rows = read_csv(staff.get(f"/admin/distributions/{dist['_id']}/payments.csv").text)
    first, second = rows
    page = f"/admin/distributions/{dist['_id']}/payout"
    answer = post(staff, f"{page}/mark", {"reference": first["payment reference"], "bankReference": "BNK-1"})
    assert answer.status_code == 303
    again = post(staff, f"{page}/mark", {"reference": first["payment reference"], "bankReference": "BNK-2"})
    assert again.status_code == 422
    assert "already paid" in again.text and "BNK-1" in again.text
    assert 'value="BNK-2"' in again.text, "what was typed is kept"
    line = dividends.by_id(db, dividends.line_id(dist["_id"], first["wallet"]))
    assert line["status"] == "paid" and line["bankReference"] == "BNK-1"
    assert db.outbox.count_documents({"subject": {"$regex": "paid your distribution"}}) == 1
    run_jobs("mail")
    blank = post(staff, f"{page}/mark", {"reference": second["payment reference"], "bankReference": "  "})
    assert blank.status_code == 422 and "bank&#39;s reference" in blank.text
    unknown = post(staff, f"{page}/mark", {"reference": "DIV-NOPE-00009", "bankReference": "X"})
    assert unknown.status_code == 422 and "No line of this distribution" in unknown.text
    assert post(staff, f"{page}/mark", {"reference": second["payment reference"].lower(),
                                        "bankReference": "BNK-3 ünïcödé"}).status_code == 303
    assert distributions.by_id(db, dist["_id"])["status"] == "paid"
    shown = staff.get(page).text
    assert "BNK-3 ünïcödé" in shown


def test_importing_the_banks_statuses_marks_the_listed_lines_and_refuses_the_rest(app, db, auth):
    dist, _ = fiat_distribution(db, holders=3)
    staff = auth("subadmin", permissions=["dividends"])
    rows = read_csv(staff.get(f"/admin/distributions/{dist['_id']}/payments.csv").text)
    bank = "Payment Reference,Bank Reference\n" + "\n".join(
        [f"{rows[0]['payment reference']},B-1", f"{rows[1]['payment reference']},B-2", "DIV-UNKNOWN-1,B-9"])
    answer = post(staff, f"/admin/distributions/{dist['_id']}/payout/import",
                  {"statuses": (io.BytesIO(bank.encode()), "bank.csv")}, content_type="multipart/form-data")
    assert answer.status_code == 303
    statuses = {line["walletAddress"]: line["status"] for line in dividends.of_distribution(db, dist["_id"])}
    assert [statuses[r["wallet"]] for r in rows] == ["paid", "paid", "scheduled"]
    wrong = post(staff, f"/admin/distributions/{dist['_id']}/payout/import",
                 {"statuses": (io.BytesIO(b"a,b\n1,2"), "x.csv")}, content_type="multipart/form-data")
    assert wrong.status_code == 422 and "payment reference" in wrong.text


def test_a_stablecoin_distribution_has_no_payment_file_and_outsiders_see_nothing(app, db, auth):
    dist = distribution_with_lines(db, {Account.create().address: 5_00})
    staff = auth("subadmin", permissions=["dividends"])
    assert staff.get(f"/admin/distributions/{dist['_id']}/payments.csv").status_code == 422
    other_staff = auth("subadmin", permissions=["kyc"])
    assert other_staff.get(f"/admin/distributions/{dist['_id']}/payout").status_code in (403, 404)
    issuer = auth("issuer")
    assert issuer.get(f"/issuer/distributions/{dist['_id']}/payout").status_code == 404
    assert staff.get("/admin/distributions/not-an-id/payout").status_code == 404
    try:
        fiat.mark_paid(app.config, staff.user, dist["_id"], "DIV-X", "B")
    except fiat.MarkRefused as refusal:
        assert "paid on chain" in str(refusal)
