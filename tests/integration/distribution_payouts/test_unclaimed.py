"""Unclaimed and held lines past DISTRIBUTION_UNCLAIMED_DAYS: listed on the issuer's payout page, mailed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eth_account import Account

from app.data import dividends
from app.domain.distributions import unclaimed
from tests.factories import distribution_with_lines
from tests.fixtures.accounts import make_user, signed_in_client


def test_lines_unpaid_past_the_period_are_shown_to_the_issuer_and_mailed_once(app, db):
    issuer = make_user("issuer")
    wallets = [Account.create().address for _ in range(3)]
    days = app.config["DISTRIBUTION_UNCLAIMED_DAYS"]
    late = distribution_with_lines(db, {wallets[0]: 10_00, wallets[1]: 2_50, wallets[2]: 7_00},
                                   payment_method="fiat", issuer_id=issuer["_id"], status="paying",
                                   payment_date=datetime.now(UTC) - timedelta(days=days + 1),
                                   record_date=datetime.now(UTC) - timedelta(days=days + 2))
    dividends.set_status(db, [dividends.line_id(late["_id"], wallets[0])], ("declared",),
                         {"status": "paid", "paidAt": datetime.now(UTC), "bankReference": "B-1"})
    dividends.set_status(db, [dividends.line_id(late["_id"], wallets[1])], ("declared",),
                         {"status": "held", "heldReason": "The wallet is frozen."})
    recent = distribution_with_lines(db, {Account.create().address: 99_00}, payment_method="fiat",
                                     issuer_id=issuer["_id"], status="paying",
                                     payment_date=datetime.now(UTC) - timedelta(days=days - 1))

    assert unclaimed.report_due(app.config) == [late["_id"]], "the recent one is within its period"
    assert unclaimed.report_due(app.config) == [late["_id"]]  # run again (the next sweep)
    mails = list(db.outbox.find({"to": issuer["email"], "subject": {"$regex": "unpaid distribution lines"}}))
    assert len(mails) == 1, "once per distribution"
    assert "2 holder lines" in mails[0]["body"] and "$9.50 in all" in mails[0]["body"]
    assert "1 held" in mails[0]["body"]

    page = signed_in_client(app, issuer).get(f"/issuer/distributions/{late['_id']}/payout").text
    assert page.count('data-testid="unclaimed-line"') == 2
    assert "The wallet is frozen." in page and "$9.50 in all" in page
    assert 'data-testid="unclaimed-line"' not in signed_in_client(app, issuer).get(
        f"/issuer/distributions/{recent['_id']}/payout").text
    assert signed_in_client(app, make_user("issuer")).get(
        f"/issuer/distributions/{late['_id']}/payout").status_code == 404, "another issuer sees nothing"
