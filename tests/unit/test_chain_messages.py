"""Which chain.events messages chain-sync refuses (and sends to the DLQ) before touching MongoDB."""

from app.data.chain_events import storable
from app.events.handlers import apply_chain_messages

LOG = {"id": "31337:0xab:0", "kind": "log", "event": "Transfer", "address": "0x" + "1" * 40, "blockNumber": 5,
       "blockHash": "0xab", "logIndex": 0, "transactionHash": "0xcd", "args": {"value": 10**24}}


def test_malformed_messages_are_returned_as_failures_with_a_reason():
    failures = apply_chain_messages(None, [{"kind": "log", "id": "x"}, {"kind": "weird"}, {"kind": "retract"}])
    reasons = [reason for _message, reason in failures]
    assert reasons[0].startswith("log message lacks event, address")
    assert reasons[1] == "unknown message kind 'weird'"
    assert reasons[2] == "retraction lacks address or blockHash"


def test_uint256_arguments_are_stored_as_decimal_strings():
    stored = storable(LOG)
    assert stored["args"]["value"] == "1000000000000000000000000"
    assert "id" not in stored and "kind" not in stored
