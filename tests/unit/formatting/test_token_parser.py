"""Tokens as typed (numerals.parse_tokens, read for an agent action's amount and a compliance limit): what the
pages show reads back to the same base units at any decimals up to uint256, exactly; anything else is refused
with what to type."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.platform.numerals import parse_tokens
from app.formatting.numbers import units


@given(st.integers(min_value=1, max_value=2**256 - 1), st.integers(min_value=0, max_value=30))
def test_an_amount_shown_in_tokens_reads_back_to_the_same_base_units(base, decimals):
    assert parse_tokens(units(base, decimals), decimals) == base
    assert parse_tokens(units(base, decimals, exact=True, grouping=False), decimals) == base


@given(st.decimals(min_value=Decimal("0.000000000000000001"), max_value=Decimal(10) ** 40, places=18,
                   allow_nan=False, allow_infinity=False))
def test_an_eighteen_decimal_amount_is_parsed_exactly(value):
    text = format(value, "f")
    with localcontext() as exact:  # the oracle must not round either: 28 digits by default
        exact.prec = 100
        assert parse_tokens(text, 18) == int(value.scaleb(18))


@pytest.mark.parametrize(("text", "decimals", "message"), [
    ("", 18, "Enter the number of tokens"),
    ("0", 18, "more than zero"),
    ("0.000", 3, "more than zero"),
    ("-5", 18, "in digits"),
    ("+5", 18, "in digits"),
    ("1.5", 0, "no decimals"),
    ("1.1234567", 6, "at most 6 digits"),
    ("١٢", 0, "in digits"),
    ("１２", 0, "in digits"),
    ("1e5", 0, "in digits"),
    ("10,5", 0, "in digits"),
    ("1 000", 0, "in digits"),
    ("9" * 90, 0, "larger than any"),
    (str(2**256), 0, "larger than any"),
    (None, 0, "Enter the number"),
])
def test_amounts_that_are_refused_say_what_to_type(text, decimals, message):
    with pytest.raises(ValueError, match=message):
        parse_tokens(text, decimals)


def test_grouped_amounts_and_spaces_around_are_read():
    assert parse_tokens(" 1,250.5 ", 2) == 125050
    assert parse_tokens(str(2**256 - 1), 0) == 2**256 - 1
