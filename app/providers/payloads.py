"""A provider's JSON body, read safely: bounded depth before parsing, a plain object after.

Why: a signed body is trusted for who sent it, not for its shape. A body nested 100,000 levels
deep overflows the C stack of the JSON parser once py_ecc has raised the recursion limit to
100,000 (the gunicorn worker died with SIGSEGV), so the depth is counted on the raw bytes
before `json.loads` sees them. And the payload is stored as received, so it must also be
storable on FerretDB v1: object keys without dots or a leading `$`, no arrays directly inside
arrays, no NaN or Infinity.
"""

from __future__ import annotations

import json
import math
import re

MAX_DEPTH = 16
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class BadPayload(ValueError):
    """The body is not a JSON object of a shape the platform can read and store."""


def depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, without parsing it (strings skipped)."""
    deepest = level = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b'""', raw)):
        level += 1 if bracket.group() in (b"[", b"{") else -1
        deepest = max(deepest, level)
    return deepest


def load_object(raw: bytes, max_depth: int = MAX_DEPTH) -> dict:
    """The JSON object in `raw`, refused (BadPayload) when too deep, not an object, or not storable."""
    if depth(raw) > max_depth:
        raise BadPayload(f"the body is nested deeper than {max_depth} levels")
    try:
        payload = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise BadPayload(f"the body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise BadPayload("the body is not a JSON object")
    _check_storable(payload, inside_array=False)
    return payload


def _refuse_constant(name: str):
    raise BadPayload(f"{name} is not a JSON number")


def _check_storable(value, *, inside_array: bool) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if "." in key or key.startswith("$") or "\x00" in key:
                raise BadPayload("an object key holds a dot, a leading $ or NUL")
            _check_storable(item, inside_array=False)
    elif isinstance(value, list):
        if inside_array:
            raise BadPayload("an array directly inside an array")
        for item in value:
            _check_storable(item, inside_array=True)
    elif isinstance(value, float) and not math.isfinite(value):
        raise BadPayload("a number that is not finite")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise BadPayload("an integer beyond 64 bits")
