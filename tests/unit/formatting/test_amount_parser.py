"""The wizard's amount parser (numerals.parse_amount): every usual way of writing an amount in the platform
currency reads back the same minor units; another currency or an ambiguous shape is refused with a message
naming the platform currency, never misread."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.platform.numerals import parse_amount
from app.formatting import money

AMOUNTS = st.integers(min_value=0, max_value=10**15 - 1)  # cents below the 13-digit whole-part limit


def grouped(whole: int, separator: str) -> str:
    return f"{whole:,}".replace(",", separator)


@given(AMOUNTS, st.sampled_from([",", " ", "\u00a0", "\u202f", ""]),
       st.sampled_from(["{}", "${}", "$ {}", "USD {}", "{} USD", "{} usd"]))
def test_every_usual_format_reads_the_same_amount(cents, separator, shape):
    whole, part = divmod(cents, 100)
    number = (grouped(whole, separator) if separator else str(whole)) + (f".{part:02d}" if part else "")
    assert parse_amount(shape.format(number)) == (cents, None)


@given(AMOUNTS)
def test_what_the_platform_shows_reads_back(cents):
    assert parse_amount(money(cents)) == (cents, None)


@given(AMOUNTS, st.sampled_from(["£", "€", "¥", "GBP ", "EUR "]))
def test_another_currency_is_refused_naming_the_platform_currency(cents, sign):
    value, message = parse_amount(sign + money(cents).removeprefix("$"))
    assert value is None and "US dollars (USD)" in message


def test_the_currency_follows_the_setting():
    assert parse_amount("€4.800", "EUR")[0] is None  # a European decimal comma/point is not guessed
    assert parse_amount("€4,800", "EUR") == (480000, None)
    value, message = parse_amount("$4,800", "EUR")
    assert value is None and "euros (EUR)" in message


@pytest.mark.parametrize("typed", ["10,5", "1,25", "4 800,000", "4,800 000", "12 34", "1.234", "-5", "+5", "1e3",
                                   "", "  ", "$", "USD", "１２", "١٢", "4,800,000.", ".5", "$$5"])
def test_ambiguous_or_foreign_shapes_are_refused(typed):
    value, message = parse_amount(typed)
    assert value is None and "USD" in message


@given(st.text(max_size=30))
def test_any_text_gives_an_amount_or_a_message_never_an_error(text):
    value, message = parse_amount(text)
    assert (value is None) != (message is None)
    assert value is None or value >= 0


def test_an_amount_beyond_what_the_platform_counts_says_so():
    value, message = parse_amount("1" * 14)
    assert value is None and "at most 13 digits" in message
