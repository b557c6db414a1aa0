"""Locked balances of a token's holders, read from our LockupModule (contracts/src/compliance) at read time.

Why batched: the cap table asks for one `lockedBalance` per holder. One JSON-RPC round trip each costs
about 4-14 ms here, so the calls go to the node as JSON-RPC batches of BATCH_SIZE (one round trip per
batch; an offering with thousands of holders stays under a second on anvil).

Why "bound" is checked: suites deployed before the platform had its own modules (or on a platform record
without a lock-up module) have no lock-up at all; the cap table then says "no lock-up" instead of 0.
"""

from __future__ import annotations

from web3 import Web3

from app.chain.artifacts import contract

BATCH_SIZE = 500


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
    """{wallet: base units still locked}, exact (uint256 as Python int), in batches of BATCH_SIZE calls."""
    module = contract(w3, "LockupModule", Web3.to_checksum_address(platform["lockupModule"])).functions
    compliance = Web3.to_checksum_address(compliance)
    found: dict[str, int] = {}
    for start in range(0, len(wallets), BATCH_SIZE):
        chunk = wallets[start:start + BATCH_SIZE]
        with w3.batch_requests() as batch:
            for wallet in chunk:
                batch.add(module.lockedBalance(compliance, Web3.to_checksum_address(wallet)))
            answers = batch.execute()
        found.update({wallet: int(answer) for wallet, answer in zip(chunk, answers, strict=True)})
    return found
