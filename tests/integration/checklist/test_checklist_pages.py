"""The checklist in the pages: "Can I invest?" on the offering page and the order form says which rule fails and
what to do; the transfer verdict page checks the form's input (messages, never a 500) and gives every rule."""

from __future__ import annotations

from eth_account import Account

from app.domain.compliance import investing
from tests.fixtures.accounts import signed_in_client
from tests.fixtures.chain import approved_investor, live_offering


def test_an_expired_investor_reads_why_on_the_offering_page_and_the_order_form(app, db, platform):
    offering = live_offering(app, platform, unpause=True)
    investor = approved_investor(app, platform, offering)
    client = signed_in_client(app, investor)
    page = client.get(f"/offerings/{offering['_id']}")
    assert page.status_code == 200 and "Can I invest?" in page.text and "Yes: every rule passes." in page.text
    rules = investing.for_offering(app.config, investor, str(offering["_id"]))
    assert {r.key for r in rules} >= {"kyc", "dates", "whitelisted", "registered", "claim", "country",
                                       "holding_cap", "investor_cap", "supply"}
    db.users.update_one({"_id": investor["_id"]}, {"$set": {
        "kycStatus": "expired", "isKyc": False, "kycReason": "Your identity verification expired on 10 Jan 2026."}})
    page = client.get(f"/offerings/{offering['_id']}")
    assert "Not yet" in page.text and 'data-rule="kyc" data-passed="no"' in page.text
    assert "expired on 10 Jan 2026" in page.text and "renew) your identity from the Onboarding page" in page.text
    form = client.get(f"/invest/{offering['_id']}/order")
    assert form.status_code == 200 and 'data-rule="kyc" data-passed="no"' in form.text


def test_a_visitor_sees_no_checklist_and_a_stranger_is_not_whitelisted(app, db, platform, auth):
    offering = live_offering(app, platform, unpause=True)
    assert "Can I invest?" not in app.test_client().get(f"/offerings/{offering['_id']}").text
    page = auth("investor").get(f"/offerings/{offering['_id']}")
    assert 'data-rule="whitelisted" data-passed="no"' in page.text and "Request whitelisting" in page.text


def test_the_transfer_verdict_page(app, db, platform):
    offering = live_offering(app, platform, unpause=True)
    sender, recipient = approved_investor(app, platform, offering), approved_investor(app, platform, offering)
    client = signed_in_client(app, sender)
    assert client.get("/transfers/check").status_code == 200
    bad = client.get("/transfers/check", query_string={"offering": "nope", "sender": "x", "recipient": "0x12",
                                                        "amount": "-3"})
    assert bad.status_code == 200
    for message in ("Choose an offering", "Choose one of your verified wallets", "0x followed by 40", "whole number"):
        assert message in bad.text
    form = {"offering": str(offering["_id"]), "sender": sender["account"].address, "amount": "5"}
    refused = client.get("/transfers/check", query_string={**form, "recipient": recipient["account"].address})
    # the sender holds nothing yet: the balance rule fails, the recipient's rules pass
    assert "would be refused" in refused.text and 'data-rule="balance" data-passed="no"' in refused.text
    assert 'data-rule="claim" data-passed="yes"' in refused.text
    stranger = client.get("/transfers/check", query_string={**form, "recipient": Account.create().address})
    assert 'data-rule="registered" data-passed="no"' in stranger.text and "Ask to be whitelisted" in stranger.text
