"""Template filters that turn integer money and rates into text (never through floats)."""

from __future__ import annotations

from flask import Flask


def money(minor: int | None, currency: str = "USD") -> str:
    """Minor units as a currency amount: 1234567 -> "$12,345.67" (whole amounts drop the cents)."""
    minor = int(minor or 0)
    sign, minor = ("-" if minor < 0 else ""), abs(minor)
    whole, cents = divmod(minor, 100)
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, currency + " ")
    return f"{sign}{symbol}{whole:,}" + (f".{cents:02d}" if cents else "")


def percent(bps: int | None) -> str:
    """Basis points as a percentage: 725 -> "7.25%", 700 -> "7%"."""
    whole, part = divmod(int(bps or 0), 100)
    return (f"{whole}.{part:02d}".rstrip("0") if part else str(whole)) + "%"


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(percent)
