"""SIGKILL the chain worker while settled orders are being minted: each is minted once, reconcile finds no drift."""

from __future__ import annotations

import os
import random
import subprocess
import time

from app.chain.artifacts import contract
from app.data import offerings as offering_docs
from app.domain.payments.settlement import settle
from app.domain.platform import chain_ops
from app.tasks.settlement import requeue_minting
from tests.fixtures.chain import kill_group, minted_amounts, start_worker
from tests.fixtures.processes import ROOT, flask_argv, stop_process, wait_for

KILLS = 14
ORDERS = 30
WAVES = 10


def listening(log_path) -> bool:
    return log_path.exists() and "Listening on" in log_path.read_text(errors="replace")


def started(log_path) -> bool:
    return ": chain: " in log_path.read_text(errors="replace")


def interrupted(log_path) -> bool:
    """The worker had taken a job and was killed before finishing it."""
    text = log_path.read_text(errors="replace")
    finished = text.count("Job OK")
    return text.count(": chain: ") - finished > finished  # each job logs "chain: <job>" and then "chain: Job OK"


def test_killing_the_worker_during_minting_mints_every_settled_order_exactly_once(
        app, db, chain_workers, offering, suite, investor, place, admin, services, tmp_path, hot):
    investors = [investor() for _ in range(3)]
    orders = [place(investors[n % 3], 10 + n, method="fiat", minutes=n) for n in range(ORDERS)]
    waves = [orders[n::WAVES] for n in range(WAVES)]  # settled a few at a time while workers come and die
    rng = random.Random(7)
    for round_number in range(KILLS):
        for order in waves[round_number] if round_number < len(waves) else []:
            source = {"kind": "fiat", "reference": order["paymentReference"], "by": admin["_id"]}
            assert settle(app.config, order["_id"], paid_amount=order["totalAmount"], source=source) == "settled"
        chain_ops.requeue_open(app.config)  # what `flask chain requeue` does after an outage
        requeue_minting(app.config)
        worker = start_worker(services, tmp_path, f"killed-{round_number}")
        log = tmp_path / f"killed-{round_number}.log"
        wait_for(lambda log=log: listening(log), timeout=30, what="the worker up")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not started(log):
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.08))  # a job (claim, record, sign, send, receipt) takes ~0.01-0.1 s
        kill_group(worker)

    settled = db.orders.count_documents({"isSettled": True, "isMinted": {"$ne": True}})
    open_jobs = db.chainJobs.count_documents({"status": {"$in": ["pending", "sent"]}})
    cut = sum(interrupted(tmp_path / f"killed-{n}.log") for n in range(KILLS))
    print(f"after {KILLS} kills ({cut} inside a job): {settled} settled orders not minted, {open_jobs} chain jobs open")
    chain_ops.requeue_open(app.config)
    requeue_minting(app.config)
    survivor = start_worker(services, tmp_path, "survivor")
    try:
        wait_for(lambda: db.orders.count_documents({"isMinted": True}) == ORDERS, timeout=120,
                 what="every settled order minted (as chain-sync reports it)")
    finally:
        stop_process(survivor)

    token = contract(hot.w3, "Token", suite["token"])
    quantities = [o["quantity"] for o in orders]
    assert sorted(minted_amounts(hot.w3, token)) == sorted(quantities), "every order minted exactly once"
    for n, holder in enumerate(investors):
        assert token.functions.balanceOf(holder.address).call() == sum(quantities[n::3])
    minted = list(db.orders.find({"offeringId": offering}))
    assert all(o["status"] == "minted" and o["tx_hash"] and o["orderMinted"] for o in minted)
    assert offering_docs.by_id(db, offering)["tokensSold"] == sum(quantities)

    wait_for(lambda: db.chainCheckpoints.find_one({})["height"] >= hot.w3.eth.block_number, what="monitor at head")
    done = subprocess.run(flask_argv("chain", "reconcile"), cwd=ROOT, env={**os.environ, **services},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 difference(s)" in done.stdout
