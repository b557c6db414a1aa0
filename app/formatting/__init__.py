"""The one formatting module for people: money, rates, amounts, dates, countries, statuses, yes/no.

Everything a page, a mail or a flash message shows of a stored value goes through here, and the
same functions are the Jinja filters (registered in `register_template_filters`).
"""

from __future__ import annotations

from flask import Flask

from app.domain.platform import stepper
from app.formatting.dates import day, when
from app.formatting.labels import document_type, event_label, or_not_given, readable, status_label, yes_no
from app.formatting.numbers import (
    currency_symbol,
    file_size,
    fixed_units,
    money,
    percent,
    platform_currency,
    tokens,
    units,
)
from app.formatting.places import country_choices, country_code, country_name, country_names

__all__ = [
    "country_choices", "country_code", "country_name", "country_names", "currency_symbol", "day",
    "document_type", "file_size", "fixed_units", "money", "or_not_given", "percent", "platform_currency",
    "register_template_filters", "status_label", "tokens", "units", "when", "yes_no",
]

_FILTERS = {
    "money": money, "percent": percent, "fixed_units": fixed_units, "units": units, "tokens": tokens,
    "file_size": file_size, "day": day, "when": when, "country": country_name, "countries": country_names,
    "status": status_label, "document_type": document_type, "yes_no": yes_no, "or_not_given": or_not_given,
    "readable": readable, "event": event_label,
}


def register_template_filters(app: Flask) -> None:
    """Filters: {{ cents|money }}, {{ bps|percent }}, {{ at|when }}, {{ code|country }}, {{ s|status("order") }}, ..."""
    for name, function in _FILTERS.items():
        app.add_template_filter(function, name)
    app.add_template_global(currency_symbol)
    app.add_template_global(platform_currency)
    app.add_template_global(country_choices)
    for stages in (stepper.order_stages, stepper.whitelist_stages, stepper.onboarding_stages):
        app.add_template_global(stages)
