"""Stablecoin payouts on the real stack: anvil, the DividendDistributor, chain jobs run by `flask worker chain`
processes that are SIGKILLed mid-batch, chain-monitor -> Kafka -> chain-sync marking the lines."""

from __future__ import annotations

import contextlib
import random
import time

from eth_account import Account

from app import locks
from app.chain.constants import ZERO_ADDRESS as ZERO
from app.data import distributions, dividends
from app.domain.distributions import payout, rules
from app.domain.payments.stablecoin import faucet, treasury
from app.domain.platform import chain_ops
from app.domain.platform.reconcile import reconcile
from tests.factories import distribution_with_lines
from tests.fixtures.chain import kill_group, reorg_chain, snapshot_chain, start_worker
from tests.fixtures.chain_events import apply, log_message
from tests.fixtures.processes import stop_process, wait_for

KILLS = 8


def wait_for_log(path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise AssertionError(f"{path.name} never said {text!r}")


def units(cents: int, usd) -> int:
    return rules.stablecoin_units(cents, usd.functions.decimals().call())


def fund(app, usd, nets: dict[str, int]) -> None:
    faucet(app.config, treasury(app.config), sum(units(n, usd) for n in nets.values()))


def paid_out(app, db, distribution_id, timeout: float = 240) -> dict:
    """Advance the payout (what the minute sweep does) until the distribution is paid; returns it."""
    def done():
        with contextlib.suppress(locks.Busy):  # chain-sync holds the distribution while it marks lines: next round
            payout.advance(app.config, distribution_id)
        dist = distributions.by_id(db, distribution_id)
        return dist if dist["status"] == rules.PAID else None
    return wait_for(done, timeout=timeout, what="the distribution to be paid")


def test_300_holders_are_paid_exactly_once_while_the_worker_is_killed_again_and_again(
        app, db, platform, services, tmp_path, usd, chain_processes):
    rng = random.Random(15)
    wallets = [Account.create().address for _ in range(300)]
    nets = {w: rng.randint(1, 250_000_00) for w in wallets}
    dist = distribution_with_lines(db, nets)
    fund(app, usd, nets)
    jobs = payout.advance(app.config, dist["_id"])
    assert len(jobs) == 3, "three batches of 100"
    assert payout.mark_scheduled(app.config, dist["_id"]) == 300  # the bookkeeping job advance enqueued
    assert {line["status"] for line in dividends.of_distribution(db, dist["_id"])} == {"scheduled"}
    for round_number in range(KILLS):
        with contextlib.suppress(locks.Busy):
            payout.advance(app.config, dist["_id"])  # the sweep: repairs and re-enqueues what is open
        chain_ops.requeue_open(app.config)
        worker = start_worker(services, tmp_path, f"killed-{round_number}")
        wait_for_log(tmp_path / f"killed-{round_number}.log", "Listening on")
        time.sleep(rng.uniform(0.05, 0.8))
        kill_group(worker)
    survivor = start_worker(services, tmp_path, "survivor")
    try:
        paid = paid_out(app, db, dist["_id"])
    finally:
        stop_process(survivor)
    assert paid["status"] == "paid"
    for wallet, net in nets.items():
        assert usd.functions.balanceOf(wallet).call() == units(net, usd), f"{wallet} paid exactly its net once"
    lines = dividends.of_distribution(db, dist["_id"])
    assert {line["status"] for line in lines} == {"paid"}
    assert all(line["txHash"] and line["paidAt"] for line in lines)
    _, drift = reconcile(app.config)
    assert [d for d in drift if str(d.token).startswith("distribution")] == [], "zero drift"


def test_a_wallet_that_cannot_receive_is_held_and_the_others_are_paid(app, db, platform, usd, chain_processes,
                                                                      services, tmp_path):
    ok = [Account.create().address for _ in range(3)]
    # The ERC-20 refuses a transfer to the zero address (OpenZeppelin's "transfer to the zero address"): a wallet
    # that cannot receive, in the same batch as three that can.
    nets = {**{w: 1_00 * (n + 1) for n, w in enumerate(ok)}, ZERO: 5_00}
    dist = distribution_with_lines(db, nets)
    fund(app, usd, nets)
    worker = start_worker(services, tmp_path, "worker")
    try:
        paid = paid_out(app, db, dist["_id"], timeout=120)
    finally:
        stop_process(worker)
    assert paid["status"] == "paid"
    held = dividends.by_id(db, dividends.line_id(dist["_id"], ZERO))
    assert held["status"] == "held"
    assert held["heldReason"] == ("The stablecoin refused the transfer to this wallet: "
                                  "ERC20: transfer to the zero address.")
    for n, wallet in enumerate(ok):
        assert usd.functions.balanceOf(wallet).call() == units(1_00 * (n + 1), usd)
    _, drift = reconcile(app.config)
    assert [d for d in drift if str(d.token).startswith("distribution")] == []


def test_a_short_treasury_is_refused_before_anything_is_sent(app, db, platform, usd, hot):
    balance = usd.functions.balanceOf(treasury(app.config)).call()
    wallet = Account.create().address
    dist = distribution_with_lines(db, {wallet: balance // 10**4 + 1_000_00})  # more cents than the treasury holds
    try:
        payout.advance(app.config, dist["_id"])
    except payout.PayoutRefused as refusal:
        assert "Fund the treasury" in str(refusal)
    else:
        raise AssertionError("a payout beyond the treasury's balance must be refused")
    assert dividends.of_distribution(db, dist["_id"])[0]["status"] == "declared"
    assert not db.chainJobs.find_one({"op": "distribute", "distributionId": dist["_id"]})


def test_a_payout_a_reorg_drops_is_flagged_for_staff_and_not_sent_again(app, db, platform, hot, usd, services,
                                                                        tmp_path, chain_processes):
    wallets = [Account.create().address for _ in range(2)]
    nets = {wallets[0]: 10_00, wallets[1]: 20_00}
    dist = distribution_with_lines(db, nets)
    fund(app, usd, nets)
    snapshot = snapshot_chain(hot.w3)
    worker = start_worker(services, tmp_path, "worker")
    try:
        paid_out(app, db, dist["_id"], timeout=120)
    finally:
        stop_process(worker)
    assert all(usd.functions.balanceOf(w).call() == units(n, usd) for w, n in nets.items())
    reorg_chain(hot.w3, snapshot, nonces=hot.nonces)
    lines = wait_for(lambda: [line for line in dividends.of_distribution(db, dist["_id"])
                              if line["status"] == "reorged"] if all(
        line["status"] == "reorged" for line in dividends.of_distribution(db, dist["_id"])) else None,
        what="the paid lines flagged after the reorg")
    assert {line["walletAddress"] for line in lines} == set(wallets)
    assert all(line["reorgedTxHash"] for line in lines)
    assert all(usd.functions.balanceOf(w).call() == 0 for w in wallets), "the coins left with the dropped blocks"
    assert distributions.by_id(db, dist["_id"])["status"] == "paying", "no longer paid"
    assert payout.advance(app.config, dist["_id"]) == [], "nothing is sent again by itself"
    assert db.chainJobs.count_documents({"op": "distribute", "distributionId": dist["_id"]}) == 1


def test_a_wallet_frozen_since_the_snapshot_is_held_back_not_paid(app, db, platform, usd, services, tmp_path,
                                                                  chain_processes):
    frozen, free = Account.create().address, Account.create().address
    nets = {frozen: 3_00, free: 4_00}
    dist = distribution_with_lines(db, nets)
    apply(db, log_message("AddressFrozen", dist["tokenAddress"],  # the agent froze it after the record date
                          {"_userAddress": frozen, "_isFrozen": True, "_owner": ZERO}))
    fund(app, usd, nets)
    worker = start_worker(services, tmp_path, "worker")
    try:
        paid_out(app, db, dist["_id"], timeout=120)
    finally:
        stop_process(worker)
    held = dividends.by_id(db, dividends.line_id(dist["_id"], frozen))
    assert held["status"] == "held" and held["heldReason"] == payout.HELD_FROZEN_AT_PAYMENT
    assert usd.functions.balanceOf(frozen).call() == 0
    assert usd.functions.balanceOf(free).call() == units(4_00, usd)
