"""Numbers as people type them, in ASCII digits only: the one strict parser behind every number field.

Why: Python's `str.isdigit()`, `int()` and the regex `\\d` accept other scripts' digits
(Arabic-Indic "\u0661\u0662", full-width "\uff11\uff12"), and `isdigit()` even accepts superscripts
("²"), which `int()` then refuses with an exception (a 500). A form field, query string, path segment
or code here is ASCII digits or it is refused, with a message that says the format. Pure: no server needed.
"""

from __future__ import annotations

import re
import unicodedata

from babel.numbers import get_currency_name, get_currency_symbol, is_currency

_DIGITS = re.compile(r"[0-9]+")
# Whole part: plain digits, or digits with commas between groups of exactly three ("1,250", "12,500,000").
_WHOLE = r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
_MONEY = re.compile(r"\$?" + _WHOLE + r"(?:\.(?P<cents>[0-9]{1,2}))?")
_GROUPED = re.compile(_WHOLE)
MONEY_FORMAT = "Enter an amount like 1,250.00, 1250 or 1250.5 (commas only between groups of three digits)."
WHOLE_FORMAT = "Enter a whole number in digits, such as 25 or 1,250."


def is_digits(text: object) -> bool:
    """True when `text` is a non-empty string of ASCII digits 0-9 and nothing else."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def parse_int(text: object, *, max_digits: int = 18) -> int | None:
    """A non-negative whole number written in ASCII digits, optionally grouped by commas in threes; else None."""
    if not isinstance(text, str):
        return None
    found = _GROUPED.fullmatch(text.strip())
    if found is None:
        return None
    digits = found.group("whole").replace(",", "")
    return int(digits) if len(digits.lstrip("0") or "0") <= max_digits else None


def parse_money(text: object, *, max_digits: int = 13) -> int | None:
    """An amount of money in minor units (cents) from the formats people type, else None.

    Accepted: "1,250.00", "1250", "1250.5", "$1,250". Refused: "10,5" (a comma that is not a thousands
    separator), other scripts' digits, signs, more than two decimals or more than `max_digits` whole digits.
    """
    if not isinstance(text, str):
        return None
    found = _MONEY.fullmatch(text.strip())
    if found is None:
        return None
    whole = found.group("whole").replace(",", "")
    if len(whole.lstrip("0") or "0") > max_digits:
        return None
    return int(whole) * 100 + int((found.group("cents") or "0").ljust(2, "0"))


def parse_fixed(text: object, places: int, *, max_digits: int = 13) -> int | None:
    """A non-negative decimal such as "7.5" as an integer scaled by 10**places (750 for places=2), else None."""
    if not isinstance(text, str):
        return None
    found = re.fullmatch(rf"([0-9]{{1,{max_digits}}})(?:\.([0-9]{{1,{places}}}))?", text.strip())
    if found is None:
        return None
    return int(found.group(1)) * 10**places + int((found.group(2) or "0").ljust(places, "0"))


# Token amounts: the same whole part, then as many decimals as the token has (18 and more).
_TOKENS = re.compile(_WHOLE + r"(?:\.(?P<frac>[0-9]+))?")
UINT256 = 2**256


def parse_tokens(text: object, decimals: int) -> int:
    """Whole tokens as typed ("1,250.5") to base units, exactly; raises ValueError with what to type instead.
    Read this way: an agent action's amount and a compliance limit in tokens.

    Refused: empty, zero, signs, other scripts' digits, more decimals than the token has, beyond uint256."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Enter the number of tokens, such as 10 or 2.5.")
    found = _TOKENS.fullmatch(text.strip())
    if found is None:
        raise ValueError("Enter the number of tokens in digits, such as 10, 1,250 or 2.5 (no sign, no spaces).")
    frac = found.group("frac") or ""
    if len(frac) > decimals:
        raise ValueError("This token has no decimals: enter a whole number of tokens." if decimals == 0 else
                         f"This token has {decimals} decimals: enter at most {decimals} digits after the point.")
    whole = found.group("whole").replace(",", "")
    if len(whole.lstrip("0")) > 80:  # before int(): a pasted wall of digits is refused, not computed
        raise ValueError("That number is larger than any token supply.")
    amount = int(whole) * 10**decimals + int(frac.ljust(decimals, "0") or "0")
    if amount == 0:
        raise ValueError("Enter more than zero tokens.")
    if amount >= UINT256:
        raise ValueError("That number is larger than any token supply.")
    return amount


# Amounts in the platform currency (the offering wizard): thousands grouped by commas or by spaces (regular,
# no-break or narrow no-break), never mixed, each group exactly three digits: "4,800,000", "4 800 000".
_SPACES = "[ \u00a0\u202f]"
_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:" + _SPACES + r"[0-9]{3})+|[0-9]+)"
                     r"(?:\.(?P<frac>[0-9]+))?")
_CODE = re.compile(r"^([A-Za-z]{3})\s*|\s*([A-Za-z]{3})$")


def _name(currency: str) -> str:
    return get_currency_name(currency, count=2, locale="en_US")


def amount_format(currency: str = "USD") -> str:
    """The refusal message for an amount, naming the currency: "Enter an amount in US dollars (USD), ..."."""
    return (f"Enter an amount in {_name(currency)} ({currency}), "
            f"such as 4,800,000 or 4800000.50.")


def _other_currency(text: str, currency: str) -> str | None:
    """A currency sign or code in `text` that is not `currency`'s: "£" when the platform is in USD."""
    own = get_currency_symbol(currency, locale="en_US")
    for char in text.replace(own, ""):
        if unicodedata.category(char) == "Sc":
            return char
    code = _CODE.search(text)
    found = code and (code.group(1) or code.group(2)).upper()
    return found if found and found != currency and is_currency(found) else None


def parse_amount(text: object, currency: str = "USD", *, places: int = 2,
                 max_digits: int = 13) -> tuple[int | None, str | None]:
    """(minor units, None) for an amount typed in the usual formats, else (None, a message saying why).

    Accepted: "4,800,000", "4800000.50", "$4,800,000", "4 800 000", "USD 4,800,000", "4,800,000 USD" (for USD).
    Refused: another currency ("£4,800,000": the message names the platform currency), "10,5", mixed
    separators, signs, other scripts' digits, more than `places` decimals or `max_digits` whole digits.
    """
    if not isinstance(text, str) or not text.strip():
        return None, amount_format(currency)
    text = text.strip()
    other = _other_currency(text, currency)
    if other:
        return None, (f"Amounts here are in {_name(currency)} ({currency}); "
                      f"enter the amount without {other}, converted to {currency}.")
    number = _CODE.sub("", text.replace(get_currency_symbol(currency, locale="en_US"), "", 1)).strip()
    found = _AMOUNT.fullmatch(number)
    if found is None or len(found.group("frac") or "") > places:
        return None, amount_format(currency)
    whole = re.sub(_SPACES + "|,", "", found.group("whole"))
    if len(whole.lstrip("0") or "0") > max_digits:
        return None, f"That is more than the platform counts: at most {max_digits} digits before the decimal point."
    return int(whole) * 10**places + int((found.group("frac") or "0").ljust(places, "0")), None
