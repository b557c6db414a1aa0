"""Lock-up on chain through the real T-REX token: a locked transfer is refused, then allowed once the mint's
release date has passed (anvil time travel); the agent's forced transfer carries the lock along."""

from __future__ import annotations

import pytest

from app.chain import agent as ops
from app.chain import compliance as modules
from app.chain.artifacts import contract
from app.chain.tx import ChainRevert, function_call, send_call

pytestmark = pytest.mark.moves_chain_clock  # run last: see tests/conftest.py

DAY = 86_400


def _transfer(w3, holder, token: str, to: str, amount: int):
    return send_call(w3, holder, function_call(contract(w3, "Token", token), "transfer", to, amount))


def _travel(w3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def test_a_locked_transfer_is_refused_then_allowed_after_the_release(wallet, platform, make_suite, investor):
    w3, agent = wallet.w3, wallet.account
    suite = make_suite(lockup_seconds=DAY)
    seller, buyer = investor(suite), investor(suite)
    receipt = ops.mint(w3, agent, suite["token"], seller.address, 100)
    minted_at = w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert modules.locked_lots(w3, platform, suite["modularCompliance"], seller.address) == [(100, minted_at + DAY)]
    with pytest.raises(ChainRevert, match="Transfer not possible"):
        _transfer(w3, seller, suite["token"], buyer.address, 1)
    _travel(w3, DAY // 2)
    with pytest.raises(ChainRevert, match="Transfer not possible"):
        _transfer(w3, seller, suite["token"], buyer.address, 1)
    _travel(w3, DAY // 2 + 1)
    assert modules.locked_balance(w3, platform, suite["modularCompliance"], seller.address) == 0
    _transfer(w3, seller, suite["token"], buyer.address, 100)
    assert contract(w3, "Token", suite["token"]).functions.balanceOf(buyer.address).call() == 100


def test_a_forced_transfer_moves_locked_tokens_with_their_lock(wallet, platform, make_suite, investor):
    w3, agent, = wallet.w3, wallet.account
    suite = make_suite(lockup_seconds=DAY)
    lost, recovered = investor(suite), investor(suite)
    ops.mint(w3, agent, suite["token"], lost.address, 40)
    ops.forced_transfer(w3, agent, suite["token"], lost.address, recovered.address, 40)
    compliance = suite["modularCompliance"]
    assert modules.locked_balance(w3, platform, compliance, recovered.address) == 40
    assert modules.locked_balance(w3, platform, compliance, lost.address) == 0
    with pytest.raises(ChainRevert, match="Transfer not possible"):
        _transfer(w3, recovered, suite["token"], lost.address, 1)


def test_unlocked_and_locked_mints_release_separately(wallet, platform, make_suite, investor):
    w3, agent = wallet.w3, wallet.account
    suite = make_suite(lockup_seconds=DAY)
    seller, buyer = investor(suite), investor(suite)
    ops.mint(w3, agent, suite["token"], seller.address, 10)
    _travel(w3, DAY + 1)
    ops.mint(w3, agent, suite["token"], seller.address, 5)  # locked for another day
    with pytest.raises(ChainRevert, match="Transfer not possible"):
        _transfer(w3, seller, suite["token"], buyer.address, 11)
    _transfer(w3, seller, suite["token"], buyer.address, 10)
    assert modules.locked_balance(w3, platform, suite["modularCompliance"], seller.address) == 5
