"""Base-unit amounts (token and stablecoin): one representation in MongoDB, `int` everywhere in Python.

Why: an 18-decimal token passes 2**63 base units at about 9.2 whole tokens. BSON's int64 cannot
hold that, FerretDB v1 rejects Decimal128 outright (it drops the connection) and Redis `INCRBY`
is int64 too. So every amount in base units is stored as a canonical decimal string: digits
only, no leading zeros, a minus sign only when negative ("0", "5000000000000000000"). The fields:
orders' `quantity`, `paymentDue`, `paidAmount` and each `payments[].amount`; offerings'
`tokensSold`; holdings' `balance` and `frozen`; chainTokens' `totalSupply`; payments' `amount`;
chainEvents' integer arguments.

Conversion happens here only: app/data modules `store` on write and `load` on read (which also
reads documents written before as BSON integers), so domain code and templates see `int` and
do exact integer arithmetic. A counter that used `$inc` is read, changed in Python and written
back under the named lock its caller already holds (app/locks.py),
with the value it read as the update's condition. Strings do not compare numerically in a query:
equality only (`match`), never a range or a sort on these fields.

Whole-token counts stay BSON and Redis integers (orders' `tokens`, the reservation counters,
`tokenSupply`, `maxTokenHolding`): the offering wizard caps a supply at 10**12 whole tokens
(app.domain.offerings.rules.MAX_SUPPLY), far inside int64 and the 2**53 that Lua's doubles count
exactly in the reservation script.
"""

from __future__ import annotations

import re

_CANONICAL = re.compile(r"^(0|-?[1-9][0-9]*)$")
INT64 = 2**63


def store(value: int) -> str:
    """The stored form of an amount: its canonical decimal string."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"an amount in base units is an int, not {type(value).__name__}")
    return str(int(value))


def load(value) -> int:
    """An amount as read: a canonical decimal string, or a legacy BSON integer (None reads as 0)."""
    if value is None:
        return 0
    if isinstance(value, str):
        if not _CANONICAL.match(value):
            raise ValueError(f"not a stored amount: {value!r}")
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)  # bson.Int64 too
    raise TypeError(f"not a stored amount: {value!r}")


def match(value: int):
    """A query value equal to the stored `value`, whether written as a string or (before) as an integer."""
    text = store(value)
    return {"$in": [text, value]} if -INT64 <= value < INT64 else text


def decode(doc: dict | None, fields: tuple[str, ...]) -> dict | None:
    """`doc` with the named amount fields read as int (in place; absent or None fields are left alone)."""
    if doc is None:
        return None
    for field in fields:
        if doc.get(field) is not None:
            doc[field] = load(doc[field])
    return doc


def encode(doc: dict, fields: tuple[str, ...]) -> dict:
    """A copy of `doc` with the named amount fields in their stored form (absent or None fields left alone)."""
    return {**doc, **{field: store(doc[field]) for field in fields if doc.get(field) is not None}}
