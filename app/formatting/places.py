"""Countries by name: ISO 3166-1 alpha-2 codes are stored, people read and choose names.

pycountry gives the list of current countries (no regions such as "EU" or "001"); Babel gives
the names people use ("Bolivia", not "Bolivia, Plurinational State of").
"""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale

from app.formatting.numbers import LOCALE


@cache
def _names() -> dict[str, str]:
    territories = Locale.parse(LOCALE).territories
    return {c.alpha_2: territories.get(c.alpha_2, c.name) for c in pycountry.countries}


def country_name(code: object) -> str:
    """"DE" -> "Germany"; an unknown or empty code is shown as given (never an error)."""
    if not isinstance(code, str) or not code:
        return ""
    return _names().get(code.upper(), code)


def country_names(codes: object) -> str:
    """["DE", "FR"] -> "Germany, France"; empty -> ""."""
    if not codes:
        return ""
    if isinstance(codes, str):
        codes = [codes]
    return ", ".join(country_name(code) for code in codes)


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country, sorted by name, for a searchable list."""
    return sorted(_names().items(), key=lambda pair: pair[1])


def country_code(text: object) -> str | None:
    """The ISO code a person chose, typed as the code ("de") or the name ("Germany"); None if neither."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    names = _names()
    if text.upper() in names:
        return text.upper()
    lowered = text.casefold()
    return next((code for code, name in names.items() if name.casefold() == lowered), None)
