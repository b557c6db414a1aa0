"""Signing, broadcasting and replacing single transactions, for senders that must survive a crash.

Why apart from app.chain.tx: the exactly-once job layer stores each signed transaction
before it is broadcast and may broadcast the same bytes again after a restart, so it needs
the steps (sign, send, look up, replace) separately rather than one send-and-wait call.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3RPCError

from app.chain.nonces import nonce_taken
from app.chain.tx import Call, fee_fields

# Nodes accept a replacement only when both fee fields rise by at least 10 % (geth, anvil);
# 12.5 % plus one wei clears that after integer rounding.
BUMP_NUM, BUMP_DEN = 1125, 1000


@dataclass(frozen=True)
class SignedTx:
    nonce: int
    tx_hash: str
    raw: str
    fees: dict
    gas: int


def sign(account: LocalAccount, call: Call, *, chain_id: int, nonce: int, gas: int, fees: dict) -> SignedTx:
    tx = {"from": account.address, "chainId": chain_id, "nonce": nonce, "gas": gas, "data": call.data,
          "value": call.value, **fees}
    if call.to is not None:
        tx["to"] = call.to
    signed = account.sign_transaction(tx)
    return SignedTx(nonce=nonce, tx_hash=signed.hash.to_0x_hex(), raw=signed.raw_transaction.to_0x_hex(),
                    fees=dict(fees), gas=gas)


def broadcast(w3: Web3, raw: str) -> bool:
    """Send signed bytes; True if the node took them, False if their nonce is already used or pooled."""
    try:
        w3.eth.send_raw_transaction(HexBytes(raw))
    except (Web3RPCError, ValueError) as error:
        if nonce_taken(error):
            return False
        raise
    return True


def receipt_of(w3: Web3, tx_hash: str) -> dict | None:
    """{status, blockNumber, gasUsed} of the receipt, or None while the transaction is unmined or unknown.

    Why raw: web3 formats every log of a receipt, tens of milliseconds for a batchMint's
    hundreds of logs, and a job polls the receipt until it is mined.
    """
    answer = w3.provider.make_request("eth_getTransactionReceipt", [tx_hash])
    if "error" in answer:
        raise Web3RPCError(str(answer["error"]))
    receipt = answer.get("result")
    if not receipt or receipt.get("blockNumber") is None:
        return None
    return {key: int(receipt[key], 16) for key in ("status", "blockNumber", "gasUsed")}


def is_known(w3: Web3, tx_hash: str) -> bool:
    """Whether the node has the transaction (pooled or mined)."""
    try:
        w3.eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return False
    return True


def replacement_fees(w3: Web3, old: dict) -> dict:
    """Fees for a same-nonce replacement: the old ones bumped past the node's threshold, or the market's if higher."""
    market = fee_fields(w3)
    if "gasPrice" in old:
        return {"gasPrice": max(_bump(old["gasPrice"]), market.get("gasPrice", 0))}
    tip = max(_bump(old["maxPriorityFeePerGas"]), market.get("maxPriorityFeePerGas", 0))
    cap = max(_bump(old["maxFeePerGas"]), market.get("maxFeePerGas", 0), tip)
    return {"maxFeePerGas": cap, "maxPriorityFeePerGas": tip}


def _bump(value: int) -> int:
    return value * BUMP_NUM // BUMP_DEN + 1
