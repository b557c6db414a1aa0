"""EventDecoder on logs built by hand: no node involved."""

from __future__ import annotations

import json

from eth_abi import encode
from eth_account import Account
from eth_utils import keccak
from hexbytes import HexBytes
from web3.datastructures import AttributeDict

from app.chain.events import EventDecoder

BLOCK_HASH = "0x" + "ab" * 32
TX_HASH = "0x" + "cd" * 32


def _address() -> str:
    return Account.create().address


def _topic_address(address: str) -> str:
    return "0x" + encode(["address"], [address]).hex()


def _raw_log(address: str, topics: list[str], data: bytes, log_index: int = 3) -> dict:
    """A log as eth_getLogs returns it over JSON-RPC (hex strings everywhere)."""
    return {"address": address.lower(), "topics": topics, "data": "0x" + data.hex(), "blockNumber": "0x2a",
            "blockHash": BLOCK_HASH, "transactionHash": TX_HASH, "logIndex": hex(log_index), "removed": False}


def _web3_log(raw: dict) -> AttributeDict:
    """The same log as web3's get_logs returns it (HexBytes and ints)."""
    return AttributeDict({"address": raw["address"], "topics": [HexBytes(t) for t in raw["topics"]],
                          "data": HexBytes(raw["data"]), "blockNumber": int(raw["blockNumber"], 16),
                          "blockHash": HexBytes(raw["blockHash"]), "transactionHash": HexBytes(raw["transactionHash"]),
                          "logIndex": int(raw["logIndex"], 16)})


def _suite_deployed_log() -> tuple[dict, list[str], str]:
    """TREXSuiteDeployed(token indexed, ir, irs, tir, ctr, mc, salt indexed); parts[6] is the factory."""
    factory, parts = _address(), [_address() for _ in range(6)]
    parts.append(factory)
    topic0 = "0x" + keccak(text="TREXSuiteDeployed(address,address,address,address,address,address,string)").hex()
    salt_hash = "0x" + keccak(text="property-42").hex()
    data = encode(["address"] * 5, parts[1:6])
    return _raw_log(factory, [topic0, _topic_address(parts[0]), salt_hash], data), parts, salt_hash


def test_decodes_suite_event_from_pinned_abis():
    raw, parts, salt_hash = _suite_deployed_log()
    event = EventDecoder().decode(raw)
    assert event == {
        "event": "TREXSuiteDeployed",
        "address": parts[6],
        "args": {"_token": parts[0], "_ir": parts[1], "_irs": parts[2], "_tir": parts[3], "_ctr": parts[4],
                 "_mc": parts[5], "_salt": salt_hash},
        "blockNumber": 42, "blockHash": BLOCK_HASH, "transactionHash": TX_HASH, "logIndex": 3,
    }
    json.dumps(event)


def test_raw_json_and_web3_logs_decode_identically():
    raw, _, _ = _suite_deployed_log()
    decoder = EventDecoder()
    assert decoder.decode(raw) == decoder.decode(_web3_log(raw))


def test_unknown_topic_and_anonymous_log_give_none():
    decoder = EventDecoder()
    assert decoder.decode(_raw_log(_address(), ["0x" + "11" * 32], b"")) is None
    assert decoder.decode(_raw_log(_address(), [], b"\x00" * 32)) is None


def test_erc20_transfer_keeps_big_ints_exact():
    sender, receiver = _address(), _address()
    amount = 10**30 + 7  # beyond float precision: must stay an exact int
    topic0 = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
    topics = [topic0, _topic_address(sender), _topic_address(receiver)]
    raw = _raw_log(_address(), topics, encode(["uint256"], [amount]))
    event = EventDecoder().decode(raw)
    assert event["event"] == "Transfer"
    assert event["args"] == {"from": sender, "to": receiver, "value": amount}


def _transfer_abi(indexed: bool) -> list[dict]:
    return [{"type": "event", "name": "Transfer", "anonymous": False, "inputs": [
        {"name": "from", "type": "address", "indexed": indexed},
        {"name": "to", "type": "address", "indexed": indexed},
        {"name": "value", "type": "uint256", "indexed": False}]}]


def test_same_signature_different_indexing_is_chosen_by_topic_count():
    decoder = EventDecoder({"Indexed": _transfer_abi(True), "Plain": _transfer_abi(False)})
    sender, receiver = _address(), _address()
    topic0 = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
    indexed = _raw_log(_address(), [topic0, _topic_address(sender), _topic_address(receiver)], encode(["uint256"], [5]))
    plain = _raw_log(_address(), [topic0], encode(["address", "address", "uint256"], [sender, receiver, 5]))
    expected = {"from": sender, "to": receiver, "value": 5}
    assert decoder.decode(indexed)["args"] == expected
    assert decoder.decode(plain)["args"] == expected
    two_topics = _raw_log(_address(), [topic0, _topic_address(sender)], encode(["address", "uint256"], [receiver, 5]))
    assert decoder.decode(two_topics) is None


def test_duplicate_signature_across_abis_decodes_once():
    decoder = EventDecoder({"A": _transfer_abi(True), "B": _transfer_abi(True)})
    assert len(decoder.topics()) == 1


def test_anonymous_events_are_not_registered():
    anonymous = [{"type": "event", "name": "Secret", "anonymous": True,
                  "inputs": [{"name": "x", "type": "uint256", "indexed": False}]}]
    decoder = EventDecoder({"A": anonymous})
    assert decoder.topics() == []
    topic0 = "0x" + keccak(text="Secret(uint256)").hex()
    assert decoder.decode(_raw_log(_address(), [topic0], encode(["uint256"], [1]))) is None


def test_bytes_arrays_and_structs_become_plain_values():
    abi = [{"type": "event", "name": "Complex", "anonymous": False, "inputs": [
        {"name": "key", "type": "bytes32", "indexed": True},
        {"name": "tag", "type": "string", "indexed": True},
        {"name": "blob", "type": "bytes", "indexed": False},
        {"name": "ids", "type": "uint16[]", "indexed": False},
        {"name": "pair", "type": "tuple", "indexed": False, "components": [
            {"name": "who", "type": "address"}, {"name": "flags", "type": "bytes4[2]"}]}]}]
    who = _address()
    key, tag_hash = b"\x01" * 32, keccak(text="tag")
    topic0 = "0x" + keccak(text="Complex(bytes32,string,bytes,uint16[],(address,bytes4[2]))").hex()
    data = encode(["bytes", "uint16[]", "(address,bytes4[2])"],
                  [b"\xde\xad", [250, 276], (who, [b"\x00\x00\x00\x01", b"\xff\xff\xff\xff"])])
    topics = [topic0, "0x" + key.hex(), "0x" + tag_hash.hex()]
    event = EventDecoder({"C": abi}).decode(_raw_log(_address(), topics, data))
    assert event["args"] == {"key": "0x" + key.hex(), "tag": "0x" + tag_hash.hex(), "blob": "0xdead",
                             "ids": [250, 276], "pair": {"who": who, "flags": ["0x00000001", "0xffffffff"]}}
    json.dumps(event)


def test_truncated_data_gives_none():
    topic0 = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
    decoder = EventDecoder({"Plain": _transfer_abi(False)})
    assert decoder.decode(_raw_log(_address(), [topic0], b"\x00" * 40)) is None


def test_pending_log_without_block_keeps_none():
    raw, _, _ = _suite_deployed_log()
    raw.update(blockNumber=None, blockHash=None, logIndex=None)
    event = EventDecoder().decode(raw)
    assert (event["blockNumber"], event["blockHash"], event["logIndex"]) == (None, None, None)
