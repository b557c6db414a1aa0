"""Reconcile's part for conversion (`flask chain reconcile`, app/domain/platform/reconcile.py).

Per offering with an ERC-20 twin (`converts`): the ERC-20's holdings and supply in MongoDB against the chain, and
the one equation conversion must keep,

    security token supply + ERC-20 supply = minted - burned

where `minted` counts the security token's mints except those of conversions back, and `burned` its burns except
those of conversions (so agents' burns count, conversions cancel out). Checked on the chain's supplies and on
chain-sync's (`chainTokens`). Conversion transactions are known by the ERC-20's own Converted / ConvertedBack
events. Findings are (token, wallet, field, MongoDB, chain) tuples; reconcile words them.
"""

from __future__ import annotations

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.constants import ZERO_ADDRESS
from app.data import chain_tokens, converts, holdings


def erc20_tokens(db) -> set[str]:
    """Every ERC-20 twin: reconcile checks these here, not as security tokens (they have no freezes or pause)."""
    return set(converts.all_pairs(db).values())


def drifts(db, w3: Web3, block: int) -> list[tuple]:
    found: list[tuple] = []
    for token, erc20 in sorted(converts.all_pairs(db).items()):
        found.extend(_erc20_drift(db, w3, erc20, block))
        found.extend(_supply_drift(db, w3, token, erc20, block))
    return found


def _erc20_drift(db, w3: Web3, erc20: str, block: int) -> list[tuple]:
    fns = contract(w3, "ConvertibleERC20", erc20).functions
    projected = {doc["wallet"]: int(doc["balance"]) for doc in holdings.for_token(db, erc20)}
    logs = contract(w3, "ConvertibleERC20", erc20).events.Transfer().get_logs(from_block=0, to_block=block)
    found = []
    for wallet in sorted((set(projected) | {log["args"]["to"] for log in logs}) - {ZERO_ADDRESS}):
        chain = fns.balanceOf(wallet).call(block_identifier=block)
        if projected.get(wallet, 0) != chain:
            found.append((erc20, wallet, "ERC-20 balance", projected.get(wallet, 0), chain))
    mine = int((chain_tokens.load(db, erc20) or {}).get("totalSupply", 0))
    chain = fns.totalSupply().call(block_identifier=block)
    if mine != chain:
        found.append((erc20, None, "ERC-20 totalSupply", mine, chain))
    return found


def issued_minus_burned(w3: Web3, token: str, erc20: str, block: int) -> int:
    """minted - burned of the security token up to `block`, leaving out conversions' own mints and burns."""
    twin = contract(w3, "ConvertibleERC20", erc20).events
    conversions = {log["transactionHash"] for event in (twin.Converted(), twin.ConvertedBack())
                   for log in event.get_logs(from_block=0, to_block=block)}
    total = 0
    for log in contract(w3, "Token", token).events.Transfer().get_logs(from_block=0, to_block=block):
        if log["transactionHash"] in conversions:
            continue
        args = log["args"]
        if args["from"] == ZERO_ADDRESS:
            total += args["value"]
        elif args["to"] == ZERO_ADDRESS:
            total -= args["value"]
    return total


def _supply_drift(db, w3: Web3, token: str, erc20: str, block: int) -> list[tuple]:
    expected = issued_minus_burned(w3, token, erc20, block)
    on_chain = (contract(w3, "Token", token).functions.totalSupply().call(block_identifier=block)
                + contract(w3, "ConvertibleERC20", erc20).functions.totalSupply().call(block_identifier=block))
    projected = sum(int((chain_tokens.load(db, t) or {}).get("totalSupply", 0)) for t in (token, erc20))
    field = "security + ERC-20 supply against minted - burned"
    found = []
    if on_chain != expected:
        found.append((token, None, f"{field} (on chain)", on_chain, expected))
    if projected != expected:
        found.append((token, None, field, projected, expected))
    return found
