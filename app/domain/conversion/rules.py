"""Pure rules of conversion: when an issuer may enable it, how a typed quantity reads, why a conversion is refused.

Why pure: the enabling and converting services read the chain and MongoDB, then ask these functions, so every
refusal a person can meet is tested without servers (tests/unit/conversion).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

SECONDS_PER_MONTH = 2_629_746  # an average Gregorian month, as the lock-up module is configured (deployment.py)
TO_ERC20, TO_SECURITY = "toErc20", "toSecurity"
DIRECTIONS = {TO_ERC20: "to the ERC-20", TO_SECURITY: "back to the security token"}
MAX_QUANTITY_CHARS = 90  # 78 digits of a uint256, a point, grouping commas
_QUANTITY = re.compile(r"(?P<whole>[0-9]*)(?:\.(?P<fraction>[0-9]*))?", re.ASCII)
MAX_UINT256 = 2**256 - 1


def lockup_end(lockup_months: int, last_mint: int | None, hold_time: datetime | None,
               lockup_seconds: int | None = None) -> int | None:
    """When the offering's lock-up is over, as a Unix time: the later of its hold time (a date) and its latest
    mint + the lock-up months (each mint is locked that long). None: nothing locks (no lock-up, nothing minted).
    `lockup_seconds`, when given, is the period staff set on chain since (app.domain.compliance.limits) and wins."""
    ends = []
    period = lockup_months * SECONDS_PER_MONTH if lockup_seconds is None else lockup_seconds
    if period and last_mint is not None:
        ends.append(last_mint + period)
    if hold_time is not None:
        stamp = hold_time if hold_time.tzinfo else hold_time.replace(tzinfo=UTC)
        ends.append(int(stamp.timestamp()))
    return max(ends) if ends else None


def enabling_refusal(offering: dict, chain_now: int, end: int | None) -> str | None:
    """Why the issuer cannot enable conversion now (None: they can). `chain_now` is the chain's latest block time:
    the lock-up module judges by it, not by this machine's clock."""
    if not offering.get("tokenAddress"):
        return "The offering's token is not deployed yet."
    if offering.get("iserc20"):
        return "Conversion to ERC-20 is already enabled for this offering."
    if end is not None and chain_now < end:
        when = datetime.fromtimestamp(end, UTC).strftime("%d %B %Y, %H:%M UTC")
        return f"The lock-up has not ended: conversion can be enabled from {when}."
    return None


def parse_quantity(text: str | None, decimals: int) -> int:
    """Typed tokens ("12", "0.5", "1,000.25") as exact base units of a `decimals` token. Raises ValueError with
    the message the person reads: empty, not a number, negative, zero, too many decimals, too large."""
    raw = "".join(str(text or "").split()).replace(",", "")
    if not raw:
        raise ValueError("Enter how many tokens to convert.")
    if len(raw) > MAX_QUANTITY_CHARS:
        raise ValueError("This number is too long; enter the tokens to convert, such as 25 or 0.5.")
    if raw.startswith("-"):
        raise ValueError("Enter a positive number of tokens.")
    shape = _QUANTITY.fullmatch(raw)
    if shape is None or not (shape["whole"] or shape["fraction"]):
        raise ValueError("Enter a number of tokens, such as 25 or 0.5.")
    whole, fraction = shape["whole"], (shape["fraction"] or "").rstrip("0")
    if len(fraction) > decimals:
        raise ValueError("This token has no fractions: enter whole tokens." if decimals == 0 else
                         f"This token has {decimals} decimals: enter at most {decimals} digits after the point.")
    units = int(whole or "0") * 10 ** decimals + int(fraction.ljust(decimals, "0") or "0")
    if units == 0:
        raise ValueError("Enter more than zero tokens.")
    if units > MAX_UINT256:
        raise ValueError("This is more tokens than can exist.")
    return units


def available_to_convert(balance: int, frozen: int, locked: int, pending: int) -> int:
    """Security tokens a holder may convert now: neither frozen nor locked, minus conversions still running.
    (Frozen and locked tokens may overlap on chain; counting both is the safe side.)"""
    return max(0, balance - frozen - locked - pending)


def conversion_refusal(direction: str, *, enabled: bool, paused: bool, wallet_frozen: bool, verified: bool,
                       units: int, available: int) -> str | None:
    """Why this conversion cannot be queued (None: it can). `available` is what the holder may convert in
    `direction`: free security tokens, or the ERC-20 balance."""
    if direction not in DIRECTIONS:
        return "Choose whether to convert to the ERC-20 or back to the security token."
    if not enabled:
        return "Conversion to ERC-20 is not enabled for this offering: its issuer enables it after the lock-up."
    if paused:
        return ("The token is paused, so nothing converts until it is unpaused: your tokens stay as they are, "
                "try again once trading reopens.")
    if wallet_frozen:
        return "Your wallet is frozen for this token, so it cannot convert; contact the transfer agent."
    if direction == TO_SECURITY and not verified:
        return ("Your wallet is not verified and registered for this offering, so security tokens cannot be issued "
                "to it: complete the whitelisting first.")
    if units > available:
        if direction == TO_ERC20:
            return ("This is more than you can convert now: only unfrozen tokens whose lock-up has ended convert "
                    "(conversions still running count too).")
        return "This is more ERC-20 tokens than your wallet holds."
    return None
