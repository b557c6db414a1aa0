"""The transfers report's token amounts: exact decimal text from base units and each offering's decimals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bson import ObjectId
from hypothesis import given
from hypothesis import strategies as st

from app.chain.constants import ZERO_ADDRESS
from app.domain.reports.rules import TokenAmount, event_time, token_decimals, transfers_table


@given(base=st.integers(min_value=0, max_value=10**40), decimals=st.integers(min_value=0, max_value=18))
def test_a_token_amount_reads_back_to_its_base_units_exactly(base, decimals):
    text = str(TokenAmount(base, decimals))
    assert "," not in text and "e" not in text.lower()
    whole, _, fraction = text.partition(".")
    assert len(fraction) <= decimals and int(whole) * 10**decimals + int(fraction.ljust(decimals, "0") or 0) == base
    assert Decimal(text).as_tuple().exponent >= -decimals  # a number a spreadsheet reads, never in E notation


def test_each_row_takes_its_own_offerings_decimals_looked_up_once():
    big, small = ObjectId(), ObjectId()
    decimals = token_decimals([{"_id": big, "tokenAddress": "0xAbC", "projectDetails": {"tokenDecimals": 18}},
                               {"_id": small, "projectDetails": {"tokenDecimals": "2"}}])
    requests = [{"offeringId": small, "tokenQuantity": "150", "createdAt": datetime(2026, 2, 1, tzinfo=UTC)}]
    events = [{"address": "0xabc", "blockNumber": 7,
               "args": {"from": ZERO_ADDRESS, "to": "0x1", "value": "10" + "0" * 18}}]
    header, rows = transfers_table(requests, events, decimals)
    tokens, base = header.index("tokens"), header.index("token base units")
    assert [(str(r[tokens]), r[base]) for r in rows] == [("1.5", 150), ("10", 10 * 10**18)]
    assert rows[1][header.index("when")] == "block 7"


def test_an_event_with_its_blocks_time_shows_that_time():
    assert event_time({"blockNumber": 9, "blockTimestamp": 1_780_000_000}) == datetime.fromtimestamp(1_780_000_000, UTC)
    assert event_time({"blockNumber": 9}) == "block 9"
