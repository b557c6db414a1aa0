"""The cost basis rule after a holder transfer (docs/holder-transfers.md), over the whole range of amounts: the
sender's remaining units keep their average cost (the units sent take theirs with them), the recipient's received
units carry no known cost, and both holdings are valued at the NAV."""

from __future__ import annotations

from bson import ObjectId
from hypothesis import given
from hypothesis import strategies as st

from app.domain.portfolio.rules import positions, value_cents

TOKEN = "0x" + "7" * 40


def _offering(decimals: int, nav: int) -> dict:
    return {"_id": ObjectId(), "tokenAddress": TOKEN, "projectDetails": {"tokenDecimals": decimals, "latestNav": nav}}


def _minted(offering: dict, quantity: int, cost: int) -> dict:
    return {"offeringId": offering["_id"], "quantity": quantity, "totalAmount": cost, "status": "minted",
            "isMinted": True}


@given(st.integers(min_value=2, max_value=10**40), st.data(), st.integers(min_value=0, max_value=18),
       st.integers(min_value=1, max_value=10**9), st.integers(min_value=1, max_value=10**12))
def test_units_sent_take_their_average_cost_and_received_units_have_none(minted, data, decimals, nav, cost):
    sent = data.draw(st.integers(min_value=1, max_value=minted - 1))
    offering = _offering(decimals, nav)
    sender = positions([{"token": TOKEN, "balance": minted - sent, "frozen": 0}], [offering],
                       [_minted(offering, minted, cost)])[0]
    assert sender.cost_basis == cost * (minted - sent) // minted
    assert sender.value == value_cents(minted - sent, nav, decimals)

    recipient = positions([{"token": TOKEN, "balance": sent, "frozen": 0}], [offering], [])[0]
    assert recipient.cost_basis is None and recipient.gain is None
    assert recipient.value == value_cents(sent, nav, decimals)


@given(st.integers(min_value=1, max_value=10**30), st.integers(min_value=1, max_value=10**30),
       st.integers(min_value=1, max_value=10**12))
def test_a_recipient_who_also_bought_keeps_the_cost_of_what_they_bought(bought, received, cost):
    offering = _offering(18, 100_00)
    held = positions([{"token": TOKEN, "balance": bought + received, "frozen": 0}], [offering],
                     [_minted(offering, bought, cost)])[0]
    assert held.cost_basis == cost  # received units add value, not cost
    assert held.value == value_cents(bought + received, 100_00, 18)
