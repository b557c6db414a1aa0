"""Locked balances of a token's holders, read from our LockupModule (contracts/src/compliance) at read time.

Why batched and raw: the cap table asks for one `lockedBalance` per holder. Through web3's contract
objects each call costs ~25 ms on this busy machine (formatters and one round trip each); the calls go
instead as raw JSON-RPC batches of BATCH_SIZE `eth_call`s encoded with eth_abi, one round trip per batch
(docs/issuer-dashboard.md has the figures).

Why "bound" is checked: suites deployed before the platform had its own modules (or on a platform record
without a lock-up module) have no lock-up at all; the cap table then says "no lock-up" instead of 0.
"""

from __future__ import annotations

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from app.chain.artifacts import contract

BATCH_SIZE = 500
_LOCKED_BALANCE = "0x" + function_signature_to_4byte_selector("lockedBalance(address,address)").hex()


def lockup_compliance(w3: Web3, platform: dict | None, token: str) -> str | None:
    """The token's ModularCompliance when the platform's lock-up module is bound to it; None otherwise."""
    module = (platform or {}).get("lockupModule")
    if not module:
        return None
    compliance = contract(w3, "Token", Web3.to_checksum_address(token)).functions.compliance().call()
    bound = contract(w3, "ModularCompliance", compliance).functions.isModuleBound(
        Web3.to_checksum_address(module)).call()
    return compliance if bound else None


def locked_balances(w3: Web3, platform: dict, compliance: str, wallets: list[str]) -> dict[str, int]:
    """{wallet: base units still locked}, exact (uint256 as Python int), all read at one block, in raw JSON-RPC
    batches of BATCH_SIZE `eth_call`s (encoded with eth_abi: web3's contract formatters cost ~4 ms a call)."""
    module = Web3.to_checksum_address(platform["lockupModule"])
    compliance = Web3.to_checksum_address(compliance)
    block = hex(w3.eth.block_number)  # one height for every batch: the column is one moment's view
    found: dict[str, int] = {}
    for start in range(0, len(wallets), BATCH_SIZE):
        chunk = wallets[start:start + BATCH_SIZE]
        calls = [("eth_call", [{"to": module, "data": _LOCKED_BALANCE + encode(["address", "address"], [
            compliance, Web3.to_checksum_address(wallet)]).hex()}, block]) for wallet in chunk]
        answers = w3.provider.make_batch_request(calls)
        if not isinstance(answers, list):  # the node refused the whole batch
            raise ValueError(f"lockedBalance batch refused: {answers.get('error')}")
        for wallet, answer in zip(chunk, sorted(answers, key=lambda a: a["id"]), strict=True):
            if "error" in answer:
                raise ValueError(f"lockedBalance of {wallet} refused: {answer['error']}")
            found[wallet] = int(answer["result"], 16)
    return found
