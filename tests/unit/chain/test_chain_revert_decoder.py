"""Revert decoding on hand-built revert data: no node involved."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak
from web3.exceptions import ContractLogicError

from app.chain.revert import ChainRevert, RevertDecoder, RevertReason, default_decoder, revert_data


def _error(message: str) -> bytes:
    return bytes.fromhex("08c379a0") + encode(["string"], [message])


def test_error_string():
    reason = default_decoder().describe(_error("Pausable: paused"))
    assert reason == RevertReason("Pausable: paused", "Error", {"0": "Pausable: paused"}, "0x08c379a0")


@pytest.mark.parametrize("code, text", [(0x11, "panic 0x11: arithmetic overflow or underflow"),
                                        (0x12, "panic 0x12: division or modulo by zero"),
                                        (0x99, "panic 0x99: unknown panic code")])
def test_panic(code, text):
    reason = default_decoder().describe(bytes.fromhex("4e487b71") + encode(["uint256"], [code]))
    assert (reason.reason, reason.name) == (text, "Panic")


def test_custom_error_from_pinned_abis_names_its_arguments():
    """Our compliance modules' errors (contracts/src/compliance) keep their arguments and read as words."""
    wallet = Account.create().address
    data = keccak(text="CountryNotAllowed(address,uint16)")[:4] + encode(["address", "uint16"], [wallet, 840])
    reason = default_decoder().describe(data)
    assert reason.name == "CountryNotAllowed"
    assert reason.args == {"wallet": wallet, "country": 840}
    assert reason.reason == (f"Wallet {wallet} resides in United States (840), which is not on the offering's "
                             "country list.")


def test_custom_error_with_array_arguments():
    compliance, identity = Account.create().address, Account.create().address
    abi = [{"type": "error", "name": "InvalidPresetValues", "inputs": [
        {"name": "_compliance", "type": "address"}, {"name": "_id", "type": "address[]"},
        {"name": "_balance", "type": "uint256[]"}]}]
    selector = keccak(text="InvalidPresetValues(address,address[],uint256[])")[:4]
    data = selector + encode(["address", "address[]", "uint256[]"], [compliance, [identity], [1, 2]])
    reason = RevertDecoder({"X": abi}).describe(data)
    assert reason.args == {"_compliance": compliance, "_id": [identity], "_balance": [1, 2]}
    assert reason.reason == f"InvalidPresetValues(_compliance={compliance}, _id=['{identity}'], _balance=[1, 2])"


def test_unknown_selector_empty_and_malformed_data():
    decoder = default_decoder()
    assert decoder.describe(bytes.fromhex("deadbeef")).reason == "unknown custom error 0xdeadbeef"
    assert decoder.describe(b"").reason == "reverted without a reason"
    assert decoder.describe(None).reason == "reverted without a reason"
    assert decoder.describe(bytes.fromhex("08c379a0") + b"\x00" * 5).reason.startswith("malformed Error")


def test_custom_error_with_bad_arguments_still_named():
    abi = [{"type": "error", "name": "Boom", "inputs": [{"name": "n", "type": "uint256"}]}]
    reason = RevertDecoder({"X": abi}).describe(keccak(text="Boom(uint256)")[:4] + b"\x01")
    assert reason.name == "Boom"
    assert reason.reason.startswith("Boom (undecodable arguments")


def test_same_error_in_several_abis_decodes_once():
    abi = [{"type": "error", "name": "Boom", "inputs": [{"name": "n", "type": "uint256"}]}]
    other = [{"type": "error", "name": "Boom", "inputs": [{"name": "count", "type": "uint256"}]}]
    reason = RevertDecoder({"B": other, "A": abi}).describe(keccak(text="Boom(uint256)")[:4] + encode(["uint256"], [7]))
    assert reason.args == {"n": 7}  # first by contract name wins, deterministically


@pytest.mark.parametrize("shape", ["0x{}", "Reverted 0x{}", {"data": "0x{}"}])
def test_web3_error_shapes(shape):
    hex_data = _error("Identity is not verified.").hex()
    data = {"data": shape["data"].format(hex_data)} if isinstance(shape, dict) else shape.format(hex_data)
    reason = default_decoder().from_web3_error(ContractLogicError("execution reverted", data=data))
    assert reason.reason == "Identity is not verified."


def test_web3_error_without_data_keeps_node_message():
    reason = default_decoder().from_web3_error(ContractLogicError("execution reverted: out of funds", data="no data"))
    assert reason.reason == "execution reverted: out of funds"
    assert revert_data(None) is None


def test_chain_revert_message():
    error = ChainRevert(RevertReason("Pausable: paused", "Error"), label="Token.transfer", tx_hash="0x12")
    assert str(error) == "Token.transfer reverted: Pausable: paused"
    assert (error.reason, error.error_name, error.tx_hash) == ("Pausable: paused", "Error", "0x12")
    assert str(ChainRevert(RevertReason("x"))) == "x"
