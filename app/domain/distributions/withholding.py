"""Withholding per investor residence country: the configurable table (0 unless staff set a rate) and its
application to one holder's gross amount. Staff edit it under the `dividends` permission."""

from __future__ import annotations

import logging

import pycountry

from app.data import withholding_rates
from app.data.mongo import get_db
from app.domain import errors
from app.domain.distributions import rules
from app.domain.platform import audit

log = logging.getLogger(__name__)


class RateRefused(errors.Refused):
    """A rate or country that cannot be saved (the message says why)."""


def rates(config: dict) -> dict[str, int]:
    """Alpha-2 country -> basis points, for the countries that have a rate."""
    return withholding_rates.all_rates(get_db(config))


def rate_for(table: dict[str, int], country: str | None) -> int:
    """The rate of a holder's residence country (0 for a country without a rate, or none known)."""
    return table.get(str(country or "").upper(), 0)


def amounts(gross: int, rate_bps: int) -> tuple[int, int]:
    """(withheld, net) of one holder's gross cents."""
    taken = rules.withheld(gross, rate_bps)
    return taken, gross - taken


def set_rate(config: dict, actor: dict, country: str, typed_rate: str) -> int:
    """Save one country's rate typed in percent; returns it in basis points."""
    found = pycountry.countries.get(alpha_2=str(country or "").strip().upper()) if str(country or "").strip() else None
    if found is None:
        raise RateRefused("Choose a country from the list.", "country")
    bps, problem = rules.parse_rate(typed_rate)
    if problem:
        raise RateRefused(problem, "rate")
    withholding_rates.set_rate(get_db(config), found.alpha_2, bps, actor["_id"])
    audit.record("distribution.withholding_rate", actor=actor, subject=None,
                 details={"country": found.alpha_2, "rateBps": bps})
    log.info("withholding rate for %s set to %s bps by %s", found.alpha_2, bps, actor["_id"])
    return bps
