"""Pure rules of changing a deployed offering's compliance limits (supply cap, most one investor may hold, investor
cap, lock-up): what staff may type and which values the token's present state refuses, in words next to the field.

Why here and not only on chain: the modules refuse a supply cap below the supply and an investor cap below the
investors, but setMaxBalance accepts a maximum below what holders already hold (every later movement of theirs would
then revert), so the platform checks each value against the chain's state first and says how many holders it would
leave above the limit. `0` means "no limit", as on chain. No server is needed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pycountry

from app.domain.platform.numerals import parse_tokens
from app.formatting.places import country_code, country_name

UINT256 = 2**256
SECONDS_PER_DAY = 86_400
MAX_LOCKUP_DAYS = 100 * 365  # LockupModule.MAX_PERIOD
MAX_INVESTORS = 1_000_000  # the wizard's own bound (app.domain.offerings.rules)
MAX_REASON = 1_000
MAX_COUNTRIES_TEXT = 10_000  # every country's name with its comma is about 3,000 characters


@dataclass(frozen=True)
class Limit:
    key: str          # the form field and the change record's `limit`
    label: str
    kind: str         # amount (base units, typed in tokens) | count | days (seconds on chain) | countries (a set)
    module: str       # platform record key of the module (app.chain.compliance.MODULES)
    setter: str       # the module's configuration function, called through ModularCompliance.callModuleFunction
    getter: str       # its view, taking the compliance address
    counts_holders: bool  # binds only while the token has no supply (canComplianceBind)
    country: int | None = None  # a per-country cap's ISO 3166 numeric code (the setter's and getter's first argument)


LIMITS = (
    Limit("supplyCap", "Supply cap", "amount", "supplyLimitModule", "setSupplyCap", "supplyCap", False),
    Limit("maxBalance", "Most one investor may hold", "amount", "maxBalanceModule", "setMaxBalance", "maxBalance",
          True),
    Limit("investorCap", "Maximum number of investors", "count", "investorCapModule", "setInvestorCap",
          "investorCap", True),
    Limit("lockup", "Lock-up", "days", "lockupModule", "setLockupPeriod", "lockupPeriod", True),
)
COUNTRIES = Limit("countries", "Countries investors may live in", "countries", "countryAllowModule",
                  "allowCountries", "isCountryAllowed", False)
BY_KEY = {limit.key: limit for limit in (*LIMITS, COUNTRIES)}
COUNTRY_PREFIX = "countryCap-"


def country_limit(alpha_2: str) -> Limit:
    """The investor cap of one country of residence (InvestorCapModule.setCountryInvestorCap)."""
    return Limit(COUNTRY_PREFIX + alpha_2, f"Maximum investors in {country_name(alpha_2)}", "count",
                 "investorCapModule", "setCountryInvestorCap", "countryInvestorCap", True,
                 int(pycountry.countries.get(alpha_2=alpha_2).numeric))


def limits_of(countries: list[str] | None) -> tuple[Limit, ...]:
    """The limits of an offering: the four overall ones, then a cap per authorised country (ISO alpha-2), then the
    country list itself."""
    known = [code for code in countries or [] if pycountry.countries.get(alpha_2=code)]
    return LIMITS + tuple(country_limit(code) for code in known) + (COUNTRIES,)


# A set of countries travels as one int, like every other limit: bit n set = ISO 3166 numeric n allowed (0: the
# token has no country rule, every country is allowed). Stored as any amount is (app/data/amounts.py).
def country_mask(numerics) -> int:
    return sum(1 << code for code in set(numerics))


def mask_countries(mask: int) -> list[int]:
    return [code for code in range(mask.bit_length()) if mask >> code & 1]


def alpha_2(numeric: int) -> str:
    return pycountry.countries.get(numeric=f"{numeric:03d}").alpha_2


def parse_countries(text: str) -> int:
    """Countries typed by name or code, separated by commas ("France, DE") -> their mask; ValueError names any
    country not known and says what to type."""
    if len(text) > MAX_COUNTRIES_TEXT:
        raise ValueError("That is longer than any list of countries: type names or two-letter codes separated by "
                         "commas, such as France, Germany, GB.")
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    codes = [country_code(part) for part in parts]
    unknown = [part[:40] for part, code in zip(parts, codes, strict=True) if code is None]
    if unknown:
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        raise ValueError(f"Not a country we know: {', '.join(unknown[:5])}{more}. Type names or two-letter codes "
                         "separated by commas, such as France, Germany, GB.")
    if not codes:
        raise ValueError("Name at least one country.")
    return country_mask(int(pycountry.countries.get(alpha_2=code).numeric) for code in codes)


def limit_of(key: str) -> Limit:
    """The limit a stored change names."""
    return country_limit(key[len(COUNTRY_PREFIX):]) if key.startswith(COUNTRY_PREFIX) else BY_KEY[key]

_NUMBER = re.compile(r"^(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?$")


@dataclass(frozen=True)
class Facts:
    """The token's state as the chain has it now."""

    decimals: int
    total_supply: int
    investors: int
    current: dict[str, int]                 # limit key -> value on chain (base units, count, seconds)
    bound: dict[str, bool]                  # limit key -> its module is bound to the token's compliance
    identity_balances: list[int] = field(default_factory=list)  # each holder identity's balance (base units)
    country_investors: dict[str, int] = field(default_factory=dict)  # country limit key -> investors resident there


def _typed(form, key: str) -> str:
    return str(form.get(key) or "").strip()


def parse_amount(text: str, decimals: int) -> int:
    """Tokens as typed ("1,250.5") to base units, exactly, as an agent action's amount is read; "0" is no limit.
    ValueError says what to type."""
    if text.startswith(("-", "−")):
        raise ValueError("A limit cannot be negative; enter 0 for no limit.")
    found = _NUMBER.fullmatch(text)
    if found is None:
        raise ValueError("Enter a number of tokens in digits, such as 10, 1,250 or 2.5 (0 for no limit).")
    if not found.group("whole").replace(",", "").strip("0") and not (found.group("frac") or "").strip("0"):
        return 0
    return parse_tokens(text, decimals)


def parse_whole(text: str, *, most: int, what: str, unit: str = "") -> int:
    """A whole number 0..most, as typed ("1,000" too); ValueError says what to type."""
    if text.startswith(("-", "−")):
        raise ValueError(f"{what} cannot be negative; enter 0 for no limit.")
    found = _NUMBER.fullmatch(text)
    if found is None or found.group("frac"):
        raise ValueError(f"Enter {what.lower()} as a whole number in digits, such as 250 (0 for no limit).")
    value = int(found.group("whole").replace(",", "")) if len(found.group("whole")) <= 12 else most + 1
    if value > most:
        raise ValueError(f"{what} can be at most {most:,}{unit}.")
    return value


def parse(form, decimals: int, limits: tuple[Limit, ...] = LIMITS) -> tuple[dict[str, int], dict[str, str], str]:
    """(new values by limit for the fields typed in, errors by field, the reason). Blank fields keep their limit."""
    values, errors = {}, {}
    for limit in limits:
        text = _typed(form, limit.key)
        if not text:
            continue
        try:
            if limit.kind == "amount":
                values[limit.key] = parse_amount(text, decimals)
            elif limit.kind == "countries":
                values[limit.key] = parse_countries(text)
            elif limit.kind == "count":
                values[limit.key] = parse_whole(text, most=MAX_INVESTORS, what="The number of investors")
            else:
                values[limit.key] = parse_whole(text, most=MAX_LOCKUP_DAYS, what="The lock-up",
                                                       unit=" days (100 years)") * SECONDS_PER_DAY
        except ValueError as refused:
            errors[limit.key] = str(refused)
    reason = " ".join(_typed(form, "reason").split())
    if not reason:
        errors["reason"] = "Say why the limits change; the reason stays in the history."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON:,} characters."
    return values, errors, reason


def units(amount: int, decimals: int) -> str:
    """Base units in tokens, every needed decimal and no more: (15 * 10**17, 18) -> "1.5"."""
    whole, frac = divmod(amount, 10**decimals)
    digits = f"{frac:0{decimals}d}".rstrip("0") if decimals else ""
    return f"{whole:,}" + (f".{digits}" if digits else "")


def _tokens(amount: int, decimals: int) -> str:
    return f"{units(amount, decimals)} token{'' if amount == 10**decimals else 's'}"


def refusal(limit: Limit, value: int, facts: Facts) -> str | None:
    """Why the token's present state refuses `value` for `limit`, in words; None when it may be set."""
    if not facts.bound.get(limit.key, False) and limit.counts_holders and facts.total_supply > 0:
        return (f"This token was deployed without the {limit.label.lower()} rule, and it can only be added before "
                "the first tokens are issued.")
    if value == 0:
        return None
    if limit.key == "supplyCap" and value < facts.total_supply:
        return (f"A supply cap of {_tokens(value, facts.decimals)} is below the "
                f"{_tokens(facts.total_supply, facts.decimals)} already issued.")
    if limit.key == "investorCap" and value < facts.investors:
        return (f"A cap of {value:,} investor{'' if value == 1 else 's'} is below the {facts.investors:,} investors "
                "who hold tokens now.")
    if limit.country is not None and value < (count := facts.country_investors.get(limit.key, 0)):
        return (f"A cap of {value:,} investor{'' if value == 1 else 's'} in {limit.label.split(' in ', 1)[1]} is "
                f"below the {count:,} investors there who hold tokens now.")
    if limit.key == "maxBalance":
        above = [held for held in facts.identity_balances if held > value]
        if above:
            return (f"{len(above):,} holder{' holds' if len(above) == 1 else 's hold'} more than "
                    f"{_tokens(value, facts.decimals)} now (the largest {_tokens(max(above), facts.decimals)}); "
                    "a maximum below a holding would stop every later movement of theirs.")
    return None


def changes(values: dict[str, int], facts: Facts) -> tuple[dict[str, int], dict[str, str]]:
    """(the values that differ from the chain's, refusals by field)."""
    changed, errors = {}, {}
    for key, value in values.items():
        if value == facts.current.get(key):
            continue  # typed the present value: nothing to send
        found = refusal(limit_of(key), value, facts)
        if found:
            errors[key] = found
        else:
            changed[key] = value
    errors.update(_caps_consistent(changed, facts))
    return {key: value for key, value in changed.items() if key not in errors}, errors


def _caps_consistent(changed: dict[str, int], facts: Facts) -> dict[str, str]:
    """A country's cap may not be above the overall cap, as the wizard says (both as they will be)."""
    after = {**facts.current, **changed}
    overall = after.get("investorCap", 0)
    above = [key for key, cap in after.items() if key.startswith(COUNTRY_PREFIX) and overall and cap > overall]
    if not above:
        return {}
    typed = [key for key in above if key in changed]
    if typed:  # the country's new cap is at fault
        return {key: f"A country's cap cannot be above the maximum number of investors ({overall:,})." for key in typed}
    names = ", ".join(limit_of(key).label.split(" in ", 1)[1] for key in above)
    return {"investorCap": f"{names} {'has a cap' if len(above) == 1 else 'have caps'} above {overall:,} investors: "
                           f"lower {'it' if len(above) == 1 else 'them'} in the same change."}


def shown(limit: Limit, value: int, decimals: int) -> str:
    """A limit's value in words for the page and the history."""
    if limit.kind == "countries":
        names = sorted(country_name(alpha_2(code)) for code in mask_countries(value))
        return ", ".join(names) if names else "All countries"
    if value == 0:
        return "No limit"
    if limit.kind == "amount":
        return _tokens(value, decimals)
    if limit.kind == "count":
        return f"{value:,} investor{'' if value == 1 else 's'}"
    days = value / SECONDS_PER_DAY
    text = f"{days:,.0f}" if value % SECONDS_PER_DAY == 0 else f"{days:,.2f}"
    return f"{text} day{'' if value == SECONDS_PER_DAY else 's'}"
