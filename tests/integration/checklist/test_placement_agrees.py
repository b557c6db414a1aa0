"""Placement and "Can I invest?" agree: for investors in each standing (current, expired, revoked, rejected, not
whitelisted) and offerings open or not, placement refuses exactly when one of the checklist's platform rules
fails (the chain's rules are the mint checks, compared with the chain in test_checklist_matches_chain)."""

from __future__ import annotations

import pytest

from app.domain.compliance import checklist, investing
from app.domain.orders import placement as ordering
from app.domain.orders.rules import Refusal
from tests.factories import list_offering, offering_doc
from tests.fixtures.orders import order_form, quick_investor

STANDINGS = {
    "current": {"kycStatus": "approved", "isKyc": True},
    "expired": {"kycStatus": "expired", "isKyc": False, "kycReason": "Your identity verification expired on 1 Jan."},
    "revoked": {"kycStatus": "revoked", "isKyc": False, "kycReason": "Sanctions match"},
    "rejected": {"kycStatus": "rejected", "isKyc": False, "kycReason": "Blurry document"},
}


@pytest.mark.parametrize("standing", [*STANDINGS, "not whitelisted"])
@pytest.mark.parametrize("window", ["open", "not yet open", "closed"])
def test_placement_refuses_exactly_when_a_platform_rule_fails(app, db, standing, window):
    starts, ends = {"open": (-10, 60), "not yet open": (5, 60), "closed": (-40, -1)}[window]
    offering = list_offering(db, offering_doc(fee=0, starts_in_days=starts, ends_in_days=ends))
    investor = quick_investor(db, None if standing == "not whitelisted" else offering)
    db.users.update_one({"_id": investor["_id"]}, {"$set": STANDINGS.get(standing, STANDINGS["current"])})
    rules = investing.for_offering(app.config, investor, str(offering["_id"]))
    platform_ok = all(r.passed for r in rules if not r.on_chain)
    try:
        ordering.place(app.config, investor, str(offering["_id"]), order_form(10))
        placed = True
    except Refusal:
        placed = False
    assert placed == platform_ok, f"{standing}/{window}: checklist fails {[r.key for r in checklist.failing(rules)]}"
