"""Decode raw EVM logs of any platform contract into plain, JSON-serialisable dicts.

Why: the chain monitor reads logs from many addresses at once (factories, tokens,
registries, identities) and publishes them to Kafka and MongoDB. It does not know which
contract emitted a log, so the decoder is keyed by topic0 over every pinned ABI instead of
per contract.

Matching rules: one signature declared in several ABIs decodes the same way, so it is
kept once. The same signature with different `indexed` flags (e.g. an ERC-20 Transfer with
or without indexed parties) is told apart by the log's topic count. Anonymous events have
no topic0 and cannot be recognised from a log alone, so they are not decoded. Indexed
dynamic values (string, bytes, arrays, structs) are stored by the EVM as their keccak hash
and are returned as that 0x hash.
"""

from __future__ import annotations

from collections.abc import Mapping

from eth_abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

from app.chain.artifacts import all_abis
from app.chain.codec import canonical_type, plain, signature


class EventDecoder:
    """topic0 -> event ABIs over a set of contract ABIs (by default every pinned artifact)."""

    def __init__(self, abis: Mapping[str, list[dict]] | None = None):
        abis = all_abis() if abis is None else abis
        self._by_topic: dict[bytes, list[dict]] = {}
        seen: set[tuple] = set()
        for name in sorted(abis):
            for entry in abis[name]:
                if entry.get("type") != "event" or entry.get("anonymous"):
                    continue
                topic = keccak(text=signature(entry))
                shape = (topic, tuple(bool(p.get("indexed")) for p in entry.get("inputs", [])))
                if shape not in seen:
                    seen.add(shape)
                    self._by_topic.setdefault(topic, []).append(entry)

    def topics(self) -> list[str]:
        """Every recognised topic0 as 0x hex (for eth_getLogs topic filters)."""
        return ["0x" + topic.hex() for topic in sorted(self._by_topic)]

    def decode(self, log: Mapping) -> dict | None:
        """Decode one log (web3 AttributeDict or raw JSON-RPC dict); None if no known event matches."""
        topics = [_as_bytes(topic) for topic in log.get("topics") or []]
        if not topics:
            return None
        data = _as_bytes(log.get("data") or b"")
        for entry in self._by_topic.get(topics[0], []):
            indexed = [p for p in entry.get("inputs", []) if p.get("indexed")]
            if len(indexed) != len(topics) - 1:
                continue
            try:
                args = _decode_args(entry, topics[1:], data)
            except DecodingError:
                continue
            return {
                "event": entry["name"],
                "address": to_checksum_address(log["address"]),
                "args": args,
                "blockNumber": _as_int(log.get("blockNumber")),
                "blockHash": _as_hex(log.get("blockHash")),
                "transactionHash": _as_hex(log.get("transactionHash")),
                "logIndex": _as_int(log.get("logIndex")),
            }
        return None


def _decode_args(entry: dict, topics: list[bytes], data: bytes) -> dict:
    inputs = entry.get("inputs", [])
    unindexed = [p for p in inputs if not p.get("indexed")]
    values = iter(decode([canonical_type(p) for p in unindexed], data))
    topic_values = iter(topics)
    args = {}
    for position, param in enumerate(inputs):
        key = param.get("name") or str(position)
        if param.get("indexed"):
            args[key] = _indexed_value(param, next(topic_values))
        else:
            args[key] = plain(param, next(values))
    return args


def _indexed_value(param: dict, topic: bytes) -> object:
    """Static values decode from their 32-byte topic; dynamic ones are only a hash."""
    kind = param["type"]
    if kind in ("string", "bytes") or kind.startswith("tuple") or kind.endswith("]"):
        return "0x" + topic.hex()
    return plain(param, decode([kind], topic)[0])


def _as_bytes(value: object) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value)
    return bytes(value)


def _as_hex(value: object) -> str | None:
    return None if value is None else "0x" + _as_bytes(value).hex()


def _as_int(value: object) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return int(value, 16)
