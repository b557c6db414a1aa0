"""Distribution rules, pure: the waterfall, the dates, the split of a total among holders, withholding.

Money is integer cents, token balances integer base units (18 decimals and supplies far past 2**64
work: Python ints). The split is the largest-remainder method, so the holders' lines add up to the
total exactly: each holder gets floor(total x balance / eligible balance), and the cents that the
floors leave over go one each to the holders with the largest dropped fractions (ties: the lower
wallet address, so a rerun gives the same lines). Nothing is lost or created.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

DIVIDEND_TYPES = {"rentalIncome": "Rental income", "capitalReturn": "Capital return", "special": "Special dividend"}
PAYMENT_METHODS = {"stablecoin": "Stablecoin (on chain)", "fiat": "Bank transfer"}
DECLARED, REJECTED, APPROVED = "declared", "rejected", "approved"
SNAPSHOTTED, PAYING, PAID = "snapshotted", "paying", "paid"
STATUS_LABELS = {DECLARED: "Waiting for approval", REJECTED: "Rejected",
                 APPROVED: "Approved, waiting for the record date", SNAPSHOTTED: "Holders fixed at the record date",
                 PAYING: "Paying", PAID: "Paid"}
# The waterfall, in the order investors read it; distributable = gross rent minus the four deductions.
WATERFALL = (("grossRent", "Gross rent"), ("vacancy", "Vacancy"), ("operatingCosts", "Operating costs"),
             ("managementFee", "Management fee"), ("reserveTopUp", "Reserve top-up"),
             ("distributable", "Distributable"))
DEDUCTIONS = ("vacancy", "operatingCosts", "managementFee", "reserveTopUp")
MAX_BPS = 10_000
REMARK_MAX = 500
# ASCII digits only ([0-9], not \d, which accepts other scripts' digits)
_MOMENT = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?$")


def waterfall_refusal(waterfall: dict[str, int], total: int | None) -> str | None:
    """Why the breakdown does not hold together (None when it does): distributable is what remains of gross
    rent after the deductions, and it is the amount declared (when a total is declared)."""
    left = waterfall["grossRent"] - sum(waterfall[key] for key in DEDUCTIONS)
    if left != waterfall["distributable"]:
        return "Distributable must equal gross rent minus vacancy, operating costs, management fee and reserve top-up."
    if total is not None and waterfall["distributable"] != total:
        return "Distributable must equal the total amount to distribute."
    return None


def parse_moment(text: object, *, end_of_day: bool) -> datetime | None:
    """A UTC moment typed as "2026-12-31" (the day's end or start, per `end_of_day`) or "2026-12-31T17:30[:05]"."""
    found = _MOMENT.match(str(text or "").strip())
    if not found:
        return None
    year, month, day, hour, minute, second = (int(p) if p else None for p in found.groups())
    try:
        if hour is None:
            moment = datetime.combine(datetime(year, month, day).date(), time.max if end_of_day else time.min)
            return moment.replace(microsecond=0, tzinfo=UTC)
        return datetime(year, month, day, hour, minute, second or 0, tzinfo=UTC)
    except ValueError:
        return None


def date_refusals(declared_at: datetime, record: datetime | None, payment: datetime | None) -> dict[str, str]:
    """Field -> message: the record date comes after the declaration (so it is not in the past), the payment
    date on or after the record date."""
    errors = {}
    if record is None:
        errors["recordDate"] = "Enter the record date as YYYY-MM-DD, or a UTC time as YYYY-MM-DDTHH:MM."
    elif record <= declared_at:
        errors["recordDate"] = "The record date must be after the declaration date (now), not in the past."
    if payment is None:
        errors["paymentDate"] = "Enter the payment date as YYYY-MM-DD, or a UTC time as YYYY-MM-DDTHH:MM."
    elif record is not None and payment < record:
        errors["paymentDate"] = "The payment date must be on or after the record date."
    return errors


def record_refusal_at_approval(record: datetime, now: datetime) -> str | None:
    if record <= now:
        return "The record date has passed: this distribution cannot be approved; the issuer must declare it again."
    return None


def split(total: int, balances: dict[str, int]) -> dict[str, int]:
    """`total` cents split among wallets in proportion to their balances (largest remainder): the values add up
    to `total` exactly when any balance is positive; wallets with no balance get nothing."""
    if total < 0:
        raise ValueError("a total to split is never negative")
    held = {wallet: balance for wallet, balance in balances.items() if balance > 0}
    whole = sum(held.values())
    if not held:
        return {}
    shares = {wallet: divmod(total * balance, whole) for wallet, balance in held.items()}
    lines = {wallet: share for wallet, (share, _) in shares.items()}
    left = total - sum(lines.values())
    # the left-over cents (fewer than the holders) go to the largest dropped fractions, lower address first
    for wallet in sorted(held, key=lambda w: (-shares[w][1], w))[:left]:
        lines[wallet] += 1
    return lines


def total_for_per_token(amount_per_token: int, eligible_balance: int, decimals: int) -> int:
    """The total of an amount per whole token over `eligible_balance` base units, in whole cents (rounded down:
    a fraction of a cent is never promised). Split with `split`, the lines then add up to it exactly."""
    return amount_per_token * eligible_balance // 10**decimals


def withheld(gross: int, rate_bps: int) -> int:
    """The tax withheld from `gross` cents at `rate_bps` basis points, rounded down (in the holder's favour)."""
    if not 0 <= rate_bps <= MAX_BPS:
        raise ValueError("a withholding rate is between 0 and 100%")
    return gross * rate_bps // MAX_BPS


def parse_rate(text: object) -> tuple[int | None, str | None]:
    """A withholding rate typed in percent with up to two decimals ("15", "12.5", "0.25"), as basis points."""
    found = re.fullmatch(r"([0-9]{1,3})(?:\.([0-9]{1,2}))?%?", str(text or "").strip())
    if not found:
        return None, "Enter a rate in percent with at most two decimals, such as 15 or 12.5."
    bps = int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))
    if bps > MAX_BPS:
        return None, "A withholding rate cannot be above 100%."
    return bps, None


def stablecoin_units(cents: int, decimals: int) -> int:
    """Cents as the stablecoin's base units (a coin with fewer than 2 decimals cannot carry cents)."""
    if decimals < 2:
        raise ValueError("a stablecoin with fewer than 2 decimals cannot pay cents")
    return cents * 10 ** (decimals - 2)


def snapshot_due(record: datetime, now: datetime, grace: timedelta = timedelta(seconds=0)) -> bool:
    """The record time has passed (plus `grace`): the last block at or before it can no longer change."""
    return now >= record + grace


def clean_remark(text: object, *, required: bool) -> str:
    remark = " ".join(str(text or "").split())
    if required and not remark:
        raise ValueError("Give the reason: the issuer reads it.")
    if len(remark) > REMARK_MAX:
        raise ValueError(f"Keep the remark under {REMARK_MAX} characters.")
    return remark


def last_block_at_or_before(timestamp_of, head: int, moment: int) -> int | None:
    """The highest block number <= `head` whose timestamp is <= `moment` (Unix seconds), by binary search over
    `timestamp_of(number)` (block timestamps never decrease); None when even block 0 is later."""
    if timestamp_of(0) > moment:
        return None
    low, high = 0, head
    while low < high:
        middle = (low + high + 1) // 2
        if timestamp_of(middle) <= moment:
            low = middle
        else:
            high = middle - 1
    return low


ZERO = "0x0000000000000000000000000000000000000000"


def replay_transfers(events: list[dict], up_to_block: int) -> dict[str, int]:
    """Balances as of the end of block `up_to_block` from Transfer events {blockNumber, logIndex, args: {from, to,
    value}} (value an int or its decimal string); the zero address (mints and burns) is left out."""
    balances: dict[str, int] = {}
    ordered = sorted((e for e in events if e["blockNumber"] <= up_to_block),
                     key=lambda e: (e["blockNumber"], e["logIndex"]))
    for event in ordered:
        args, value = event["args"], int(event["args"]["value"])
        if args["from"] != ZERO:
            balances[args["from"]] = balances.get(args["from"], 0) - value
        if args["to"] != ZERO:
            balances[args["to"]] = balances.get(args["to"], 0) + value
    return {wallet: balance for wallet, balance in balances.items() if balance != 0}


def frozen_at(events: list[dict], up_to_block: int) -> set[str]:
    """Wallets frozen whole (AddressFrozen, the last one up to `up_to_block` wins) at the end of that block."""
    frozen: dict[str, bool] = {}
    ordered = sorted((e for e in events if e["event"] == "AddressFrozen" and e["blockNumber"] <= up_to_block),
                     key=lambda e: (e["blockNumber"], e["logIndex"]))
    for event in ordered:
        frozen[event["args"]["_userAddress"]] = bool(event["args"]["_isFrozen"])
    return {wallet for wallet, is_frozen in frozen.items() if is_frozen}
