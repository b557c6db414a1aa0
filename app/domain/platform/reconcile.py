"""Reconciliation: do MongoDB's projections agree with the chain, holder by holder and token by token?

Orders too: an order marked minted whose mint is not on chain (or the reverse), and orders marked
frozen for more tokens than their wallet has frozen.

Why: chain-sync is the only writer of holdings and supplies; this is the independent check
an operator (or a cron) runs. It compares at the height the chain monitor has published
(its checkpoint), not the chain head, so confirmations and ordinary lag are not reported
as drift. Holders come from both sides: every wallet MongoDB knows and every address that
ever received the token on chain, so a missing holding is found as well as a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.constants import ZERO_ADDRESS
from app.chain.node import web3_client
from app.data import chain_checkpoints, chain_tokens, holdings, mint_claims, mint_txs, offerings
from app.data.mongo import get_db
from app.domain.conversion import supply_check
from app.domain.distributions import payout_check


@dataclass(frozen=True)
class Drift:
    token: str
    wallet: str | None  # None: a token-level field
    field: str
    mongo: object
    chain: object

    def __str__(self) -> str:
        where = f"{self.token} {self.wallet}" if self.wallet else self.token
        return f"{where} {self.field}: MongoDB {self.mongo} != chain {self.chain}"


def reconcile(config: dict, block: int | None = None) -> tuple[int, list[Drift]]:
    """(block compared at, every difference); an empty list means MongoDB matches the chain."""
    db, w3 = get_db(config), web3_client.get(config)
    if block is None:
        checkpoint = chain_checkpoints.load(db, f"chain-monitor:{w3.eth.chain_id}")
        block = checkpoint["height"] if checkpoint else w3.eth.block_number
    tokens = sorted(set(holdings.tokens(db)) | {doc["_id"] for doc in chain_tokens.all_tokens(db)})
    drifts: list[Drift] = []
    erc20s = supply_check.erc20_tokens(db)  # ERC-20 twins: no freezes or pause, checked below with the supplies
    for token in tokens:
        if token not in erc20s:
            drifts.extend(_token_drift(db, w3, token, block))
    drifts.extend(Drift(*found) for found in supply_check.drifts(db, w3, block))  # conversion to ERC-20
    drifts.extend(Drift(*found) for found in payout_check.drifts(config, block))  # stablecoin payouts
    return block, drifts


def _token_drift(db, w3: Web3, token: str, block: int) -> list[Drift]:
    bound = contract(w3, "Token", token)
    fns = bound.functions
    projected = {doc["wallet"]: doc for doc in holdings.for_token(db, token)}
    transfers = bound.events.Transfer().get_logs(from_block=0, to_block=block)
    receivers = {log["args"]["to"] for log in transfers}
    drifts = []
    for wallet in sorted((set(projected) | receivers) - {ZERO_ADDRESS}):
        doc = projected.get(wallet, {})
        pairs = (("balance", int(doc.get("balance", 0)), fns.balanceOf(wallet).call(block_identifier=block)),
                 ("frozen", int(doc.get("frozen", 0)), fns.getFrozenTokens(wallet).call(block_identifier=block)),
                 ("isFrozen", bool(doc.get("isFrozen", False)), fns.isFrozen(wallet).call(block_identifier=block)))
        drifts.extend(Drift(token, wallet, name, mine, theirs) for name, mine, theirs in pairs if mine != theirs)
    status = chain_tokens.load(db, token) or {}
    for name, mine, theirs in (("totalSupply", int(status.get("totalSupply", 0)),
                                fns.totalSupply().call(block_identifier=block)),
                               ("paused", status.get("paused", True), fns.paused().call(block_identifier=block))):
        if mine != theirs:
            drifts.append(Drift(token, None, name, mine, theirs))
    return drifts + _order_drift(db, fns, token, block, transfers)


def _order_drift(db, fns, token: str, block: int, transfers: list) -> list[Drift]:
    """Orders against the chain: minted marks against the token's mints (through `mintTxs`, as chain-sync marks
    them), and the tokens orders hold frozen against each wallet's frozen amount (other freezes may add to it)."""
    mint_hashes = {log["transactionHash"].to_0x_hex() for log in transfers if log["args"]["from"] == ZERO_ADDRESS}
    should_be_minted = {order_id for ids in mint_txs.orders_by_tx(db, sorted(mint_hashes)).values()
                        for order_id in ids}
    drifts, frozen_by_wallet = [], {}
    for order in mint_claims.settled(db, offerings.ids_by_token(db, token)):
        marked, on_chain = bool(order.get("isMinted")), order["_id"] in should_be_minted
        if marked != on_chain:
            drifts.append(Drift(token, order["walletAddress"], f"order {order['_id']} minted", marked, on_chain))
        if marked and order.get("isFreezed"):
            wallet = order["walletAddress"]
            frozen_by_wallet[wallet] = frozen_by_wallet.get(wallet, 0) + int(order["quantity"])
    for wallet, frozen in sorted(frozen_by_wallet.items()):
        chain_frozen = fns.getFrozenTokens(wallet).call(block_identifier=block)
        if frozen > chain_frozen:
            drifts.append(Drift(token, wallet, "frozen by orders (at most the frozen amount)", frozen, chain_frozen))
    return drifts
