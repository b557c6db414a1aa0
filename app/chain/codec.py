"""Turn ABI-decoded values into plain, JSON-serialisable Python values.

Why: decoded events and revert arguments end up in MongoDB documents, Kafka messages and
admin pages. eth_abi hands back bytes, lower-case addresses and nested tuples; the rest of
the app wants checksummed addresses, 0x-hex strings, dicts and lists, and exact Python ints
(token amounts are base units and must never pass through floats).
"""

from __future__ import annotations

import re

from eth_utils import to_checksum_address

_ARRAY_SUFFIX = re.compile(r"^(.*)\[(\d*)\]$")


def canonical_type(param: dict) -> str:
    """The eth_abi type string of an ABI parameter, expanding tuples to (t1,t2,...)."""
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def signature(entry: dict) -> str:
    """Canonical signature `Name(type1,type2)` used for selectors and topic0."""
    return f"{entry['name']}({','.join(canonical_type(p) for p in entry.get('inputs', []))})"


def plain(param: dict, value: object) -> object:
    """Normalise one decoded value according to its ABI parameter description."""
    kind = param["type"]
    array = _ARRAY_SUFFIX.match(kind)
    if array:
        element = dict(param, type=array.group(1))
        return [plain(element, item) for item in value]
    if kind == "tuple":
        return {
            component.get("name") or str(index): plain(component, item)
            for index, (component, item) in enumerate(zip(param["components"], value, strict=True))
        }
    if kind == "address":
        return to_checksum_address(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return value


def plain_args(params: list[dict], values: list | tuple) -> dict:
    """Name -> plain value for a parameter list; unnamed parameters get their position."""
    return {p.get("name") or str(i): plain(p, v) for i, (p, v) in enumerate(zip(params, values, strict=True))}
