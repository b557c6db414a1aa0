"""Conversion rules without servers: quantities read exactly over the whole uint256 range at any decimals, what may
convert, when the lock-up ends, and each refusal in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.conversion import rules

DECIMALS = st.integers(min_value=0, max_value=18)
UNITS = st.integers(min_value=1, max_value=rules.MAX_UINT256)


def typed(units: int, decimals: int, grouped: bool) -> str:
    """How a person would type `units` base units: whole part (grouped with commas or not), point, fraction."""
    whole, fraction = divmod(units, 10**decimals)
    text = f"{whole:,}" if grouped else str(whole)
    if decimals and fraction:
        text += "." + str(fraction).rjust(decimals, "0").rstrip("0")
    return text


@given(UNITS, DECIMALS, st.booleans())
def test_typed_quantities_read_back_exactly(units, decimals, grouped):
    assert rules.parse_quantity(typed(units, decimals, grouped), decimals) == units


@given(DECIMALS, st.integers(min_value=1, max_value=10**30))
def test_one_digit_more_than_the_token_has_is_refused(decimals, whole):
    text = f"{whole}.{'0' * decimals}1"
    with pytest.raises(ValueError, match="no fractions" if decimals == 0 else f"{decimals} decimals"):
        rules.parse_quantity(text, decimals)


@given(st.text(max_size=120))
def test_any_text_reads_or_is_refused_in_words(text):
    try:
        units = rules.parse_quantity(text, 18)
    except ValueError as why:
        assert str(why).endswith(".") and len(str(why)) < 120
    else:
        assert 0 < units <= rules.MAX_UINT256


@pytest.mark.parametrize(("text", "words"), [
    ("", "Enter how many tokens to convert."), ("  ", "Enter how many tokens to convert."),
    ("-3", "Enter a positive number of tokens."), ("0.000", "Enter more than zero tokens."),
    ("1e5", "Enter a number of tokens"), ("１２", "Enter a number of tokens"), (".", "Enter a number of tokens"),
    ("1" * 91, "This number is too long"), ("1" * 80, "more tokens than can exist"),
])
def test_quantity_refusals(text, words):
    with pytest.raises(ValueError, match=words):
        rules.parse_quantity(text, 0)


def test_quantities_with_spaces_commas_and_trailing_zeros():
    assert rules.parse_quantity(" 1,000.250 ", 3) == 1_000_250
    assert rules.parse_quantity(".5", 18) == 5 * 10**17
    assert rules.parse_quantity("7.", 0) == 7


@given(*(st.integers(min_value=0, max_value=rules.MAX_UINT256) for _ in range(4)))
def test_available_is_never_negative_nor_above_the_balance(balance, frozen, locked, pending):
    available = rules.available_to_convert(balance, frozen, locked, pending)
    assert 0 <= available <= balance
    assert available == max(0, balance - frozen - locked - pending)


def test_lockup_end_is_the_later_of_the_hold_time_and_the_last_mint_plus_the_months():
    mint = 1_800_000_000
    assert rules.lockup_end(0, mint, None) is None
    assert rules.lockup_end(12, None, None) is None, "nothing minted: nothing locked"
    assert rules.lockup_end(12, mint, None) == mint + 12 * rules.SECONDS_PER_MONTH
    assert rules.lockup_end(12, mint, None, lockup_seconds=30 * 86_400) == mint + 30 * 86_400, "changed on chain since"
    assert rules.lockup_end(12, mint, None, lockup_seconds=0) is None, "the lock-up removed since"
    hold = datetime(2040, 1, 1, tzinfo=UTC)
    assert rules.lockup_end(1, mint, hold) == int(hold.timestamp())
    assert rules.lockup_end(0, None, datetime(2040, 1, 1)) == int(hold.timestamp()), "a naive date is UTC"


def test_enabling_refusals():
    offering = {"tokenAddress": "0xToken"}
    assert rules.enabling_refusal({}, 10, None) == "The offering's token is not deployed yet."
    assert "already enabled" in rules.enabling_refusal({**offering, "iserc20": True}, 10, None)
    refused = rules.enabling_refusal(offering, 1_999, 2_000_000_000)
    assert refused.startswith("The lock-up has not ended: conversion can be enabled from 18 May 2033")
    assert rules.enabling_refusal(offering, 2_000_000_000, 2_000_000_000) is None, "the chain's time, at the end"
    assert rules.enabling_refusal(offering, 5, None) is None


def refusal(direction=rules.TO_ERC20, **changes):
    facts = {"enabled": True, "paused": False, "wallet_frozen": False, "verified": True, "units": 5,
             "available": 5, **changes}
    return rules.conversion_refusal(direction, **facts)


def test_conversion_refusals_in_order():
    assert refusal() is None and refusal(rules.TO_SECURITY) is None
    assert "Choose whether" in refusal("sideways")
    assert "not enabled" in refusal(enabled=False, paused=True)
    assert "paused, so nothing converts until it is unpaused" in refusal(paused=True, wallet_frozen=True)
    assert "wallet is frozen" in refusal(wallet_frozen=True, available=0)
    assert refusal(verified=False) is None, "verification matters only when security tokens are issued"
    assert "not verified and registered" in refusal(rules.TO_SECURITY, verified=False)
    assert "unfrozen tokens whose lock-up has ended" in refusal(units=6)
    assert "more ERC-20 tokens than your wallet holds" in refusal(rules.TO_SECURITY, units=6)
