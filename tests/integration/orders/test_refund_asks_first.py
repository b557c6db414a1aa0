"""Marking an unmatched stablecoin transfer for refund asks first (app/blueprints/confirm.py): a POST without the
confirmation shows the question with the reason typed and changes nothing; the question's button marks it."""

from __future__ import annotations

import html
import re

from app.domain.payments import stablecoin as payments
from tests.fixtures.accounts import post
from tests.fixtures.orders import quick_investor
from tests.integration.orders.test_unmatched_transfers import crypto_offering, key_of, transfer

__all__ = ["crypto_offering"]  # the fixture, used here by name

REASON = "Sent by mistake, per the investor's email"


def test_marking_a_transfer_for_refund_asks_first(app, db, crypto_offering, admin_client):
    event = transfer(app, quick_investor(db, crypto_offering)["wallet"], 1_015_00 * 10**4)
    assert payments.apply_transfer(app.config, event) == "unmatched"
    url = f"/admin/orders/transfers/{key_of(event)}/refund"
    assert """hx-vals='{"confirm": "yes"}'""" in admin_client.get("/admin/orders/transfers").text

    asked = post(admin_client, url, {"reason": REASON})
    text = html.unescape(asked.text)
    assert asked.status_code == 200 and "Mark this transfer for refund?" in text and f"Your reason: {REASON}" in text
    assert re.search(r'<input type="hidden" name="reason" value="Sent by mistake', asked.text)
    assert db.payments.find_one({"_id": key_of(event)})["status"] == "unmatched"

    assert post(admin_client, url, {"reason": REASON, "confirm": "yes"}).status_code == 303
    assert db.payments.find_one({"_id": key_of(event)})["refund"]["reason"] == REASON
