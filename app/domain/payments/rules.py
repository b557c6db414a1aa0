"""Pure payment rules: what is due, how a received amount compares, which open order a transfer pays.

No server needed: settlement (app/domain/payments/settlement.py) and the crypto matcher
(app/domain/payments/stablecoin.py) apply these to documents they loaded.

Units: a fiat order is due `totalAmount` cents; a crypto order is due `paymentDue` base
units of the stablecoin (cents * 10**(decimals - 2): 6 decimals => cents * 10**4, 18 =>
cents * 10**16), with the coin's decimals copied on the order as `paymentDecimals`. Both are
integers of any size (stored as decimal strings, app/data/amounts.py); nothing here rounds.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

from app.domain import errors
from app.formatting import fixed_units, money

EXACT, UNDER, OVER = "exact", "underpaid", "overpaid"
LEGACY_STABLECOIN_DECIMALS = 6  # crypto orders placed before `paymentDecimals` was stored were due in a 6-decimal coin
_EXACT = Context(prec=200)  # wide enough for any uint256 amount
OPEN_STATUSES = ("pending_payment", "payment_review")
# An order a new transfer may still pay: not yet paid, or paid too little so far.
PAYABLE_FLAGS = (None, UNDER)


class PaymentRefused(errors.Refused):
    """The payment cannot be recorded on this order (the message says why, for the admin)."""


def stablecoin_due(total_cents: int, decimals: int) -> int:
    """Base units of a USD stablecoin worth `total_cents` (a stablecoin with fewer than 2 decimals cannot pay cents)."""
    if decimals < 2:
        raise ValueError(f"a stablecoin with {decimals} decimals cannot represent cents")
    return int(total_cents) * 10 ** (decimals - 2)


def stablecoin_decimals(order: dict) -> int:
    """The decimals of the stablecoin a crypto order is due in."""
    decimals = order.get("paymentDecimals")
    return LEGACY_STABLECOIN_DECIMALS if decimals is None else int(decimals)


def due_of(order: dict) -> int:
    """What the order must receive, in the unit of its payment method."""
    return int(order["paymentDue"]) if order.get("paymentMethod") == "crypto" else int(order["totalAmount"])


def compare(paid: int, due: int) -> str:
    if paid == due:
        return EXACT
    return UNDER if paid < due else OVER


def payment_key(source: dict) -> str:
    """The natural key a payment is recorded under once: a log position, or the bank reference (plus the
    bank's own transfer id when one reference is paid in several transfers)."""
    kind = source.get("kind")
    if kind == "crypto":
        if not source.get("txHash") or source.get("logIndex") is None:
            raise ValueError("a crypto payment source needs txHash and logIndex")
        return f"crypto:{source['txHash'].lower()}:{int(source['logIndex'])}"
    if kind == "fiat":
        if not source.get("reference"):
            raise ValueError("a fiat payment source needs the transfer's reference")
        transfer = source.get("transferId")
        return f"fiat:{source['reference']}" + (f":{transfer}" if transfer else "")
    raise ValueError(f"unknown payment kind {kind!r}")


def flag_reason(outcome: str, paid: int, due: int, unit: str) -> str:
    """The sentence the investor and the admin read on a flagged order."""
    if outcome == UNDER:
        return f"Received {format_units(paid, unit)} of {format_units(due, unit)}: " \
               f"{format_units(due - paid, unit)} is still due."
    return f"Received {format_units(paid, unit)} for {format_units(due, unit)} due: " \
           f"{format_units(paid - due, unit)} too much; an admin will settle or refund it."


def format_units(amount: int, unit: str) -> str:
    """"$12.50" for cents (app/formatting.money), "12.500000 tUSD" for a 6-decimal coin ("<symbol>:<decimals>")."""
    if unit == "cents":
        return money(amount)
    symbol, _, decimals = unit.partition(":")
    return f"{fixed_units(amount, int(decimals))} {symbol}"  # integers only: a Decimal quotient keeps 28 digits


def pick_order(candidates: list[dict], amount: int) -> dict | None:
    """The open crypto order a transfer of `amount` pays, among one sender's orders to one address.

    Oldest first; an order whose outstanding amount equals the transfer wins over an older
    one it does not fit, so paying two orders in either order settles both. Otherwise the
    oldest payable order takes it (and is flagged under- or overpaid). Orders already
    overpaid or resolved by an admin are never candidates.
    """
    payable = [o for o in candidates if o.get("status") in OPEN_STATUSES and o.get("paymentFlag") in PAYABLE_FLAGS]
    payable.sort(key=lambda o: (o.get("orderReceived") is None, o.get("orderReceived"), str(o["_id"])))
    for order in payable:
        if due_of(order) - int(order.get("paidAmount") or 0) == amount:
            return order
    return payable[0] if payable else None


def parse_token_amount(text: str, decimals: int) -> int:
    """"1,250.5" tokens -> base units; refuses negatives, zero and more decimals than the token has."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    units = value.scaleb(decimals, _EXACT)  # in the default context a product keeps 28 digits and rounds
    if value <= 0 or units != units.to_integral_value():
        raise ValueError(f"{text!r} must be positive with at most {decimals} decimals")
    return int(units)
