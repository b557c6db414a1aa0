"""Stablecoin payouts against the chain, for `flask chain reconcile` (app/domain/platform/reconcile.py).

For each distribution with a payout batch: the DividendDistributor's DividendPaid events of its chain key (read from
the node, up to the compared block) must match its lines one to one: each paid line has exactly one event of exactly
its net amount in stablecoin units, no event pays a wallet without a paid line or twice, and the sum paid on chain
equals the net total of the paid lines.
"""

from __future__ import annotations

from collections import defaultdict

from eth_utils import keccak
from web3 import Web3

from app.chain.node import web3_client
from app.data import distribution_payouts, distributions, dividends
from app.data.mongo import get_db
from app.domain.distributions import payout, rules

PAID_TOPIC = "0x" + keccak(text="DividendPaid(bytes32,address,address,uint256)").hex()


def paid_on_chain(w3: Web3, distributor: str, key: str, from_block: int, to_block: int) -> dict[str, list[int]]:
    """recipient -> the amounts of every DividendPaid of the chain key in [from_block, to_block]."""
    logs = w3.eth.get_logs({"address": distributor, "fromBlock": from_block, "toBlock": to_block,
                            "topics": [PAID_TOPIC, key]})
    paid: dict[str, list[int]] = defaultdict(list)
    for log in logs:
        recipient = Web3.to_checksum_address("0x" + bytes(log["topics"][2])[-20:].hex())
        paid[recipient].append(int.from_bytes(bytes(log["data"])[:32], "big"))
    return paid


def drifts(config: dict, block: int) -> list[tuple[str, str | None, str, object, object]]:
    """(what, wallet, field, MongoDB, chain) for every difference; empty when every payout matches the chain."""
    db = get_db(config)
    found = []
    ids = {b["distributionId"] for b in db[distribution_payouts.NAME].find({"kind": "batch"}, {"distributionId": 1})}
    if not ids:
        return found
    w3 = web3_client.get(config)
    chain = payout.setup(config)
    for distribution_id in sorted(ids, key=str):
        dist = distributions.by_id(db, distribution_id) or {}
        what = f"distribution {distribution_id}"
        on_chain = paid_on_chain(w3, chain.distributor, payout.chain_key(distribution_id),
                                 int(dist.get("recordBlock") or 0), block)
        lines = {line["walletAddress"]: line for line in dividends.of_distribution(db, distribution_id)}
        paid_lines = {w: line for w, line in lines.items() if line["status"] == dividends.PAID and line.get("txHash")}
        for wallet in sorted(set(on_chain) | set(paid_lines)):
            expected = ([rules.stablecoin_units(int(paid_lines[wallet]["dividendAmount"]), chain.decimals)]
                        if wallet in paid_lines else [])
            if on_chain.get(wallet, []) != expected:
                status = lines[wallet]["status"] if wallet in lines else "no line"
                found.append((what, wallet, f"paid (line {status})", expected, on_chain.get(wallet, [])))
        mongo_total = sum(rules.stablecoin_units(int(line["dividendAmount"]), chain.decimals)
                          for line in paid_lines.values())
        chain_total = sum(sum(amounts) for amounts in on_chain.values())
        if mongo_total != chain_total:
            found.append((what, None, "net paid in stablecoin units", mongo_total, chain_total))
    return found
