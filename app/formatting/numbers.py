"""Money, base-unit amounts, rates and file sizes for people (never through floats).

Money is integer minor units of the platform currency (setting PLATFORM_CURRENCY), shown the
marketplace's way through Babel: "$12.50", and "$12" for a whole amount. Token and stablecoin
amounts are integer base units (app/data/amounts.py): `units` shows them.
"""

from __future__ import annotations

import functools
from decimal import Decimal, localcontext

from babel.numbers import format_currency, get_currency_precision, get_currency_symbol
from flask import current_app, has_app_context

LOCALE = "en_US"
DEFAULT_CURRENCY = "USD"


def platform_currency() -> str:
    """The ISO 4217 code every money amount on the platform is in (the PLATFORM_CURRENCY setting)."""
    if has_app_context():
        return current_app.config.get("PLATFORM_CURRENCY") or DEFAULT_CURRENCY
    return DEFAULT_CURRENCY


def currency_symbol(currency: str | None = None) -> str:
    """"$" for USD, "€" for EUR; a code such as "CHF" where the locale has no symbol."""
    return get_currency_symbol(currency or platform_currency(), locale=LOCALE)


def money(minor: int | None, currency: str | None = None) -> str:
    """Minor units as a currency amount: 1234567 -> "$12,345.67" (whole amounts drop the cents)."""
    return _money(int(minor or 0), currency or platform_currency())


@functools.lru_cache(maxsize=4096)
def _money(minor: int, currency: str) -> str:
    """Remembered: Babel takes about 0.1 ms an amount, and a page of cards shows the same few dozen again."""
    places = get_currency_precision(currency)
    with localcontext() as context:  # exact for any size: Decimal's default 28 digits would round or fail
        context.prec = len(str(minor)) + 10
        amount = Decimal(minor).scaleb(-places)
        if minor % 10**places == 0:
            return format_currency(amount, currency, format="¤#,##0", locale=LOCALE, currency_digits=False)
        return format_currency(amount, currency, locale=LOCALE)


def units(base: int | None, decimals: int, *, exact: bool = False, grouping: bool = True) -> str:
    """Base units as a decimal amount: (123450, 2) -> "1,234.5"; `exact` keeps every decimal ("1,234.50"),
    as an amount to send or a spreadsheet value; `grouping=False` leaves out the thousands commas."""
    base, decimals = int(base or 0), int(decimals)
    sign, base = ("-" if base < 0 else ""), abs(base)
    whole, frac = divmod(base, 10 ** decimals)
    text = f"{whole:,}" if grouping else str(whole)
    digits = f"{frac:0{decimals}d}" if decimals else ""
    digits = digits if exact else digits.rstrip("0")
    return sign + text + (f".{digits}" if digits else "")


def tokens(base: int | None, decimals: int = 0, kind: str = "") -> str:
    """A token amount in a sentence, the noun agreeing with it: (10**18, 18) -> "1 token", (25, 1) -> "2.5 tokens",
    0 -> "0 tokens"; `kind` goes before the noun: (12, 0, "HBL") -> "12 HBL tokens". Only exactly one is singular."""
    base, decimals = int(base or 0), int(decimals)
    noun = f"{kind} token" if kind else "token"
    return f"{units(base, decimals)} {noun}" + ("" if abs(base) == 10 ** decimals else "s")


def fixed_units(base: int | None, decimals: int) -> str:
    """Base units with every decimal shown, as an amount to send exactly: (507500000, 6) -> "507.500000"."""
    return units(base, decimals, exact=True)


def percent(bps: int | None) -> str:
    """Basis points as a percentage: 725 -> "7.25%", 700 -> "7%"."""
    whole, part = divmod(int(bps or 0), 100)
    return (f"{whole}.{part:02d}".rstrip("0") if part else str(whole)) + "%"


def file_size(size: int | None) -> str:
    """Bytes as people read a file's size: 532 -> "532 bytes", 250880 -> "245 KB", 3407872 -> "3.3 MB"."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} byte" + ("" if size == 1 else "s")
    if size < 1024 * 1024:
        return f"{round(size / 1024):,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"
