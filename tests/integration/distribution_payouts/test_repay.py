"""Held and reorged stablecoin lines paid after all, exactly once (app/domain/distributions/repay.py), on the real
stack: anvil with a T-REX suite and the DividendDistributor, chain-monitor -> Kafka -> chain-sync, a `flask worker`
process running the payout jobs, and staff's button through the Flask app."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime

import pytest
from eth_account import Account

from app import locks
from app.chain import agent as ops
from app.chain.node import web3_client
from app.chain.tx import function_call, send_call
from app.chain.wallet import hot_wallet
from app.data import chain_checkpoints, chain_contracts, distributions, dividends
from app.domain.distributions import payout, repay, snapshot
from app.domain.distributions.payout_check import PAID_TOPIC
from app.domain.payments.stablecoin import treasury
from app.domain.platform.reconcile import reconcile
from app.tasks import distributions as distribution_tasks
from tests.factories import distribution_with_lines
from tests.fixtures.accounts import make_user, post
from tests.fixtures.chain import reorg_chain, snapshot_chain, start_worker
from tests.fixtures.processes import flask_argv, start_process, stop_process, wait_for
from tests.integration.distribution_payouts.test_stablecoin_payout import fund, paid_out, units


@pytest.fixture
def watched(app, db, wallet, suite, services, tmp_path):
    """The monitor (from the head, watching the suite's token too) and chain-sync, as processes; yields a dict the
    test may use to stop and restart chain-sync."""
    head = wallet.w3.eth.get_block("latest")
    chain_id = wallet.w3.eth.chain_id
    chain_checkpoints.save(db, f"chain-monitor:{chain_id}", head["number"],
                           [{"number": head["number"], "hash": head["hash"].to_0x_hex(), "addresses": []}])
    chain_contracts.add(db, chain_id, {suite["token"]: "suite"}, source="test")
    procs = {"monitor": start_process(flask_argv("chain", "monitor"), services, "chain-monitor", tmp_path),
             "sync": start_process(flask_argv("chain", "sync"), services, "chain-sync", tmp_path)}
    yield procs
    for process in procs.values():
        stop_process(process)


@pytest.fixture
def worker(services, tmp_path):
    process = start_worker(services, tmp_path, "worker")
    yield process
    stop_process(process)


def payout_page(dist) -> str:
    return f"/admin/distributions/{dist['_id']}/payout"


def paid_logs(app, dist, wallet: str) -> list:
    """Every DividendPaid of the distribution to `wallet` on the chain as it is now."""
    w3 = web3_client.get(app.config)
    topic = "0x" + "00" * 12 + wallet[2:].lower()
    return w3.eth.get_logs({"address": payout.setup(app.config).distributor, "fromBlock": 0, "toBlock": "latest",
                            "topics": [PAID_TOPIC, payout.chain_key(dist["_id"]), topic]})


def line_of(db, dist, wallet) -> dict:
    return dividends.by_id(db, dividends.line_id(dist["_id"], wallet))


def no_drift(app) -> None:
    _, drift = reconcile(app.config)
    assert [d for d in drift if str(d.token).startswith("distribution")] == []


def test_a_line_held_for_a_frozen_wallet_is_paid_once_after_the_unfreeze_with_the_sweep_and_the_button_racing(
        app, db, wallet, suite, usd, watched, worker, auth):
    token = suite["token"]
    frozen, free = Account.create().address, Account.create().address
    holder = make_user("investor")
    ops.set_address_frozen(wallet.w3, wallet.account, token, frozen, True)
    wait_for(lambda: db.holdings.find_one({"_id": f"{token}:{frozen}", "isFrozen": True}), what="the freeze synced")
    nets = {frozen: 12_34, free: 5_00}
    dist = distribution_with_lines(db, nets, user_ids={frozen: holder["_id"]})
    db.distributions.update_one({"_id": dist["_id"]}, {"$set": {"tokenAddress": token}})
    # as the snapshot writes a wallet frozen at the record block
    db.dividends.update_one({"_id": dividends.line_id(dist["_id"], frozen)},
                            {"$set": {"status": "held", "heldReason": snapshot.HELD_FROZEN}})
    fund(app, usd, nets)
    paid_out(app, db, dist["_id"], timeout=120)
    assert line_of(db, dist, frozen)["status"] == "held"
    assert dist["_id"] in distribution_tasks.due(app.config, datetime.now(UTC)), "the sweep keeps looking at it"
    staff = auth("subadmin", permissions=["dividends"])
    page = payout_page(dist)
    assert 'data-testid="repay"' in staff.get(page).text
    asked = post(staff, f"{page}/lines/{frozen}/repay")
    assert asked.status_code == 200 and "Yes, pay this line" in asked.text, "asks first, without JavaScript too"
    still = post(staff, f"{page}/lines/{frozen}/repay", {"confirm": "yes"})
    assert still.status_code == 422 and "still frozen" in still.text
    assert repay.release_unfrozen(app.config, dist["_id"]) == [], "the sweep leaves a frozen wallet's line held"
    assert line_of(db, dist, frozen)["status"] == "held"

    ops.set_address_frozen(wallet.w3, wallet.account, token, frozen, False)
    wait_for(lambda: db.holdings.find_one({"_id": f"{token}:{frozen}", "isFrozen": False}), what="the unfreeze")
    errors: list[BaseException] = []

    def sweep():
        with app.app_context():
            for _ in range(3):
                with contextlib.suppress(locks.Busy):
                    repay.release_unfrozen(app.config, dist["_id"])
                    payout.advance(app.config, dist["_id"])

    def button():
        try:
            for _ in range(3):
                answer = post(staff, f"{page}/lines/{frozen}/repay", {"confirm": "yes"})
                assert answer.status_code in (303, 422, 503), answer.status_code  # 422: moved by the sweep already
        except BaseException as error:
            errors.append(error)

    racers = [threading.Thread(target=sweep), threading.Thread(target=button)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert errors == []
    paid = paid_out(app, db, dist["_id"], timeout=120)
    assert paid["status"] == "paid"
    line = wait_for(lambda: (lambda d: d if d["status"] == "paid" else None)(line_of(db, dist, frozen)),
                    what="the unfrozen line paid")
    assert line["txHash"] and line["payAttempt"] == 1, "put back once"
    assert usd.functions.balanceOf(frozen).call() == units(12_34, usd), "paid once"
    assert len(paid_logs(app, dist, frozen)) == 1
    assert usd.functions.balanceOf(free).call() == units(5_00, usd)
    wait_for(lambda: db.outbox.count_documents({"userId": holder["_id"], "subject": {"$regex": "paid your"}}),
             what="the paid mail")
    assert db.outbox.count_documents({"userId": holder["_id"], "subject": {"$regex": "paid your"}}) == 1
    again = post(staff, f"{page}/lines/{frozen}/repay", {"confirm": "yes"})
    assert again.status_code == 422 and "nothing to pay again" in again.text
    assert dist["_id"] not in distribution_tasks.due(app.config, datetime.now(UTC)), "nothing left to look at"
    no_drift(app)


def _coin_paused(app, usd, paused: bool) -> None:
    hot = hot_wallet(app.config)
    send_call(hot.w3, hot.account, function_call(usd, "pause" if paused else "unpause"), nonces=hot.nonces)


def test_a_line_the_stablecoin_refused_is_held_again_while_refused_and_paid_once_on_retry(
        app, db, usd, watched, worker, auth):
    wallet_a = Account.create().address
    nets = {wallet_a: 7_77}
    dist = distribution_with_lines(db, nets)
    fund(app, usd, nets)
    _coin_paused(app, usd, True)  # the coin refuses every transfer ("ERC20Pausable: token transfer while paused")
    try:
        paid_out(app, db, dist["_id"], timeout=120)
        first = line_of(db, dist, wallet_a)
        assert first["status"] == "held" and "paused" in first["heldReason"]
        staff = auth("subadmin", permissions=["dividends"])
        page = payout_page(dist)
        shown = staff.get(page).text
        assert "Try paying again" in shown
        assert post(staff, f"{page}/lines/{wallet_a}/repay", {"confirm": "yes"}).status_code == 303
        again = paid_out(app, db, dist["_id"], timeout=120)  # still refused: held again, with the new refusal
        assert again["status"] == "paid"
        second = wait_for(lambda: (lambda d: d if d["status"] == "held" and d.get("heldTxHash") != first["heldTxHash"]
                                   else None)(line_of(db, dist, wallet_a)), what="held again")
        assert "paused" in second["heldReason"] and second["payAttempt"] == 1
    finally:
        _coin_paused(app, usd, False)
    assert post(staff, f"{page}/lines/{wallet_a}/repay", {"confirm": "yes"}).status_code == 303
    paid_out(app, db, dist["_id"], timeout=120)
    line = line_of(db, dist, wallet_a)
    assert line["status"] == "paid" and line["payAttempt"] == 2
    assert usd.functions.balanceOf(wallet_a).call() == units(7_77, usd)
    assert len(paid_logs(app, dist, wallet_a)) == 1
    assert db.chainJobs.count_documents({"op": "distribute", "distributionId": dist["_id"]}) == 3
    no_drift(app)


def test_a_reorged_line_found_paid_on_chain_is_marked_paid_without_a_second_transfer(
        app, db, usd, hot, watched, services, tmp_path, auth):
    wallets = sorted(Account.create().address for _ in range(2))
    nets = {wallets[0]: 10_00, wallets[1]: 20_00}
    dist = distribution_with_lines(db, nets)
    fund(app, usd, nets)
    snapshot_id = snapshot_chain(hot.w3)
    worker = start_worker(services, tmp_path, "worker")
    try:
        paid_out(app, db, dist["_id"], timeout=120)
    finally:
        stop_process(worker)
    batch = db.distributionPayouts.find_one({"distributionId": dist["_id"], "kind": "batch"})
    reorg_chain(hot.w3, snapshot_id, nonces=hot.nonces)
    wait_for(lambda: all(line["status"] == "reorged" for line in dividends.of_distribution(db, dist["_id"])),
             what="the lines flagged after the reorg")
    # chain-sync stops; the first wallet's payment is mined again (what a dropped transaction often does), so the
    # chain has paid it while MongoDB still says "reorged"
    stop_process(watched["sync"])
    chain = payout.setup(app.config)
    send_call(hot.w3, hot.account, payout.distribute_call(chain.distributor, chain.coin, treasury(app.config),
                                                          batch["chainKey"], [wallets[0]], [units(10_00, usd)]),
              nonces=hot.nonces)
    assert usd.functions.balanceOf(wallets[0]).call() == units(10_00, usd)
    staff = auth("subadmin", permissions=["dividends"])
    page = payout_page(dist)
    assert "Pay again" in staff.get(page).text
    answer = post(staff, f"{page}/lines/{wallets[0]}/repay", {"confirm": "yes"})
    assert answer.status_code == 303
    assert "marked paid, nothing was sent again" in staff.get(page).text
    line = line_of(db, dist, wallets[0])
    assert line["status"] == "paid" and line.get("paidFromChain") and line["txHash"]
    assert db.chainJobs.count_documents({"op": "distribute", "distributionId": dist["_id"]}) == 1, "nothing sent"
    # the second line: not paid on chain, so paid through a new batch once chain-sync runs again
    watched["sync"] = start_process(flask_argv("chain", "sync"), services, "chain-sync", tmp_path)
    assert post(staff, f"{page}/lines/{wallets[1]}/repay", {"confirm": "yes"}).status_code == 303
    worker = start_worker(services, tmp_path, "worker2")
    try:
        paid = paid_out(app, db, dist["_id"], timeout=120)
    finally:
        stop_process(worker)
    assert paid["status"] == "paid"
    assert [usd.functions.balanceOf(w).call() for w in wallets] == [units(10_00, usd), units(20_00, usd)]
    assert [len(paid_logs(app, dist, w)) for w in wallets] == [1, 1]
    no_drift(app)


def test_fiat_lines_are_not_paid_on_chain(app, db, auth):
    held = Account.create().address
    dist = distribution_with_lines(db, {held: 1_00}, payment_method="fiat", status="paying")
    db.dividends.update_one({"_id": dividends.line_id(dist["_id"], held)},
                            {"$set": {"status": "held", "heldReason": snapshot.HELD_FROZEN}})
    staff = auth("subadmin", permissions=["dividends"])
    assert 'data-testid="repay"' not in staff.get(payout_page(dist)).text
    answer = post(staff, f"{payout_page(dist)}/lines/{held}/repay", {"confirm": "yes"})
    assert answer.status_code == 422 and "bank&#39;s reference" in answer.text
    assert line_of(db, dist, held)["status"] == "held"
    assert distributions.by_id(db, dist["_id"])["status"] == "paying"
    assert post(staff, f"{payout_page(dist)}/lines/0xnot-a-line/repay", {"confirm": "yes"}).status_code == 404
