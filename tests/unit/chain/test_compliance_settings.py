"""The compliance settings a new suite gets from its offering, and the on-chain ISO 3166 table."""

from __future__ import annotations

import re
from pathlib import Path

import pycountry
from hypothesis import given
from hypothesis import strategies as st

from app.chain.suite import is_iso_country
from app.domain.offerings.deployment import SECONDS_PER_MONTH, _compliance_values

ROOT = Path(__file__).resolve().parents[3]
ISO_CODES = {int(country.numeric) for country in pycountry.countries}


def _onchain_table() -> set[int]:
    """The codes Iso3166.sol's four 256-bit words hold."""
    source = (ROOT / "contracts" / "src" / "compliance" / "Iso3166.sol").read_text()
    words = [int(value, 16) for value in re.findall(r"W\d = (0x[0-9a-f]+);", source)]
    assert len(words) == 4
    return {index * 256 + bit for index, word in enumerate(words) for bit in range(256) if word >> bit & 1}


def test_the_onchain_iso_table_is_pycountrys():
    assert _onchain_table() == ISO_CODES
    assert all(is_iso_country(code) for code in ISO_CODES)
    assert not any(is_iso_country(code) for code in (0, 1, 999, 1000, 65535))


@given(supply=st.integers(1, 10**30), holding=st.integers(0, 10**30), decimals=st.integers(0, 18),
       months=st.integers(0, 120), cap=st.integers(0, 10**6))
def test_limits_are_exact_base_units_and_seconds(supply, holding, decimals, months, cap):
    doc = {"projectDetails": {"tokenSupply": supply, "maxTokenHolding": holding, "tokenDecimals": decimals,
                              "lockupMonths": months, "authorizedCountries": ["FR", "DE"], "maxInvestors": cap,
                              "maxInvestorsPerCountry": {"DE": cap}}}
    values = _compliance_values(doc)
    assert values["supply_cap"] == supply * 10**decimals  # integers all the way: 10^48 stays exact
    assert values["max_balance"] == holding * 10**decimals
    assert values["lockup_seconds"] == months * SECONDS_PER_MONTH
    assert values["authorized_countries"] == [250, 276]
    assert values["investor_cap"] == cap and values["country_investor_caps"] == {276: cap}


def test_absent_investor_caps_mean_no_cap():
    values = _compliance_values({"projectDetails": {"tokenSupply": 10, "tokenDecimals": 0}})
    assert values["investor_cap"] == 0 and values["country_investor_caps"] == {} and values["lockup_seconds"] == 0
