"""What an order costs and whether it may be placed. Pure: integer arithmetic, no server.

Units: money in cents, prices in cents per whole token (the offering's current NAV),
the fee in basis points (the wizard's "percent" kind), supply and holding limits in whole
tokens as the issuer typed them, the order's `quantity` in token base units
(whole tokens x 10**tokenDecimals, what the chain mints: an int of any size, stored as a
decimal string, app/data/amounts.py). What a stablecoin order owes in the coin's base units
is app/domain/payments_rules.stablecoin_due, with the coin's own decimals.

Rounding, stated once: orders buy whole tokens. An amount buys the whole tokens it covers
(rounded down, the rest is not charged); the fee is rounded to the nearest cent, halves up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain import errors
from app.domain.marketplace.listing import aware
from app.domain.platform import numerals
from app.formatting import money
from app.formatting import tokens as token_count

PAYMENT_METHODS = ("fiat", "crypto")
NOT_WHITELISTED = ("You are not whitelisted for this offering: request whitelisting and wait for its approval "
                   "before ordering.")


class Refusal(errors.Refused):
    """An order the platform will not place, with the message the investor reads (and the field at fault)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Quote:
    tokens: int       # whole tokens
    quantity: int     # token base units
    price: int        # cents per whole token
    amount: int       # cents, tokens x price
    fee_bps: int
    fee_amount: int   # cents
    total: int        # cents, amount + fee

    @property
    def fee_percent(self) -> float:
        """The fee as the page shows it (feesInPercentage); display only, never used to compute."""
        return self.fee_bps / 100


@dataclass(frozen=True)
class Standing:
    """The investor's position as the checks need it, read by the caller."""

    whitelisted: bool
    wallet: str                 # the wallet the order would mint to
    verified_wallets: tuple[str, ...]
    whitelisted_wallet: str | None  # the wallet registered for this offering, when the whitelist names one
    held_tokens: int            # whole tokens already held or ordered in this offering


def parse_money(text: str) -> int | None:
    """'1,250.00' -> 125000 cents; None when it is not an amount in a format people type ("10,5" is not:
    commas only separate thousands) or uses other than ASCII digits (app/domain/platform/numerals.py)."""
    return numerals.parse_money(text or "")


def parse_tokens(text: str) -> int | None:
    """'1,250' -> 1250 whole tokens; None unless ASCII digits, commas only between groups of three."""
    return numerals.parse_int(text or "", max_digits=13)


def nav_price(offering: dict) -> int:
    """Cents per whole token: the latest NAV, or the launch price before any NAV update."""
    details = offering.get("projectDetails") or {}
    return int(details.get("latestNav") or details.get("navLaunchPrice") or 0)


def fee_bps(offering: dict) -> int:
    return int(offering.get("fee") or 0)


def unit(offering: dict) -> int:
    return 10 ** int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)


def quote_tokens(offering: dict, tokens: int) -> Quote:
    price, bps = nav_price(offering), fee_bps(offering)
    amount = tokens * price
    fee = (amount * bps + 5_000) // 10_000
    return Quote(tokens, tokens * unit(offering), price, amount, bps, fee, amount + fee)


def quote(offering: dict, *, tokens_text: str = "", amount_text: str = "") -> Quote:
    """The order's figures from either a number of tokens or an amount of money (tokens win when both)."""
    if nav_price(offering) <= 0:
        raise Refusal("This offering has no price yet.")
    if tokens_text.strip():
        tokens = parse_tokens(tokens_text)
        if tokens is None or tokens == 0:
            raise Refusal("Enter a whole number of tokens, such as 25.", "tokens")
        return quote_tokens(offering, tokens)
    if amount_text.strip():
        cents = parse_money(amount_text)
        if cents is None or cents == 0:
            raise Refusal(numerals.MONEY_FORMAT, "amount")  # "10,5" is refused, saying the format
        tokens = cents // nav_price(offering)
        if tokens == 0:
            raise Refusal(f"That buys no token: one token costs {money(nav_price(offering))}.", "amount")
        return quote_tokens(offering, tokens)
    raise Refusal("Enter a number of tokens or an amount to invest.", "tokens")


def check_window(offering: dict, now: datetime) -> None:
    """Live, active, and between its opening and closing dates."""
    details = offering.get("projectDetails") or {}
    if offering.get("status") != "live" or not offering.get("isActive") or offering.get("isDelete"):
        raise Refusal("This offering is not open for orders.")
    start, end = aware(details.get("startDate")), aware(details.get("endDate"))
    if start is not None and now < start:
        raise Refusal(f"This offering opens for orders on {start:%d %B %Y}.")
    if end is not None and now > end:
        raise Refusal(f"This offering closed for orders on {end:%d %B %Y}.")


def check_amount(offering: dict, q: Quote) -> None:
    """Minimum and maximum investment, per order, on the subtotal (the fee comes on top)."""
    details = offering.get("projectDetails") or {}
    low, high = int(details.get("minInvestment") or 0), int(details.get("maxInvestment") or 0)
    if low and q.amount < low:
        raise Refusal(f"The minimum investment is {money(low)}; this order comes to {money(q.amount)}.", "tokens")
    if high and q.amount > high:
        raise Refusal(f"The maximum investment is {money(high)}; this order comes to {money(q.amount)}.", "tokens")


def check_standing(offering: dict, q: Quote, standing: Standing) -> None:
    """Whitelisting, the receiving wallet, and the most tokens one investor may hold."""
    if not standing.whitelisted:
        raise Refusal(NOT_WHITELISTED, "whitelist")  # said once: pages show it in place of their own note
    if standing.wallet not in standing.verified_wallets:
        raise Refusal("Tokens can only be sent to one of your verified wallets.", "wallet")
    if standing.whitelisted_wallet and standing.wallet != standing.whitelisted_wallet:
        raise Refusal(f"Tokens of this offering can only be sent to the wallet it whitelisted, "
                      f"{standing.whitelisted_wallet}.", "wallet")
    check_holding(offering, q.tokens, standing.held_tokens)


def holding_limit(offering: dict) -> int:
    return int((offering.get("projectDetails") or {}).get("maxTokenHolding") or 0)


def check_holding(offering: dict, tokens: int, held: int) -> None:
    limit = holding_limit(offering)
    if limit and held + tokens > limit:
        room = max(0, limit - held)
        raise Refusal(f"One investor may hold at most {token_count(limit)} of this offering; you already hold or "
                      f"have ordered {held:,}, so you can order {room:,} more.", "tokens")


def supply(offering: dict) -> int:
    return int((offering.get("projectDetails") or {}).get("tokenSupply") or 0)


def remaining_supply(offering: dict, reserved: int) -> int:
    """Whole tokens not yet reserved by an order (settled or not)."""
    return max(0, supply(offering) - reserved)


def check_supply(tokens: int, remaining: int) -> None:
    if remaining <= 0:
        raise Refusal("This offering is sold out.")
    if tokens > remaining:
        verb = "remains" if remaining == 1 else "remain"
        raise Refusal(f"Only {token_count(remaining)} {verb} in this offering.", "tokens")


def check(offering: dict, q: Quote, standing: Standing, now: datetime, reserved: int) -> None:
    """Every rule, in the order an investor would want to hear about them; raises the first Refusal."""
    if not standing.whitelisted:
        raise Refusal(NOT_WHITELISTED, "whitelist")  # said once: pages show it in place of their own note
    check_window(offering, now)
    check_amount(offering, q)
    check_standing(offering, q, standing)
    check_supply(q.tokens, remaining_supply(offering, reserved))
