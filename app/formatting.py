"""The one formatter of money, of base-unit amounts and of rates (never through floats); also Jinja filters.

Money is shown one way everywhere, the marketplace's: "$12.50", "$12" for a whole amount.
Token and stablecoin amounts are integer base units (app/data/amounts.py): `units` shows them.
"""

from __future__ import annotations

from flask import Flask


def money(minor: int | None, currency: str = "USD") -> str:
    """Minor units as a currency amount: 1234567 -> "$12,345.67" (whole amounts drop the cents)."""
    minor = int(minor or 0)
    sign, minor = ("-" if minor < 0 else ""), abs(minor)
    whole, cents = divmod(minor, 100)
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, currency + " ")
    return f"{sign}{symbol}{whole:,}" + (f".{cents:02d}" if cents else "")


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


def fixed_units(base: int | None, decimals: int) -> str:
    """Base units with every decimal shown, as an amount to send exactly: (507500000, 6) -> "507.500000"."""
    return units(base, decimals, exact=True)


def percent(bps: int | None) -> str:
    """Basis points as a percentage: 725 -> "7.25%", 700 -> "7%"."""
    whole, part = divmod(int(bps or 0), 100)
    return (f"{whole}.{part:02d}".rstrip("0") if part else str(whole)) + "%"


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(percent)
    app.add_template_filter(fixed_units)
