"""The cap table's locked column from plain data (no server): amounts per wallet, "no lock-up", exact CSV."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from app.domain.issuer_dashboard import exports, rules


def _holding(wallet: str, balance: int) -> dict:
    return {"wallet": wallet, "balance": balance, "frozen": 0, "isFrozen": False}


def test_locked_amounts_match_wallets_whatever_their_case_and_default_to_zero():
    table = rules.cap_table([_holding("0xAbC", 30), _holding("0xDEF", 10)], {}, {}, 40, {"0xabc": 12})
    assert [(row.wallet, row.locked) for row in table] == [("0xAbC", 12), ("0xDEF", 0)]


def test_a_suite_without_the_lockup_module_has_no_locked_amount():
    [row] = rules.cap_table([_holding("0xabc", 30)], {}, {}, 30, None)
    assert row.locked is None
    parsed = next(csv.DictReader(io.StringIO(exports.cap_table_csv([row], 0, "none"))))
    assert parsed["locked tokens"] == "no lock-up"
    parsed = next(csv.DictReader(io.StringIO(exports.cap_table_csv([row], 0, "unreadable"))))
    assert parsed["locked tokens"] == "not read (chain unavailable)"


@given(st.integers(min_value=0, max_value=2**256 - 1), st.integers(min_value=0, max_value=18))
def test_any_uint256_locked_amount_is_written_exactly(locked, decimals):
    [row] = rules.cap_table([_holding("0xabc", locked or 1)], {}, {}, None, {"0xabc": locked})
    parsed = next(csv.DictReader(io.StringIO(exports.cap_table_csv([row], decimals))))
    whole, _, fraction = parsed["locked tokens"].partition(".")
    assert int(whole + fraction.ljust(decimals, "0")) == locked
