"""Paying 1,000 holders in stablecoin: the job path against a naive loop, in one run on a throw-away stack.

Naive: one Test USD `transfer` per holder from the treasury (the hot wallet), each waiting for its receipt.
Job path: a snapshotted distribution of 1,000 lines, `payout.advance` (batches of payout.BATCH_SIZE lines recorded
as `distribute` chain jobs of the DividendDistributor and enqueued, the distributor approved once), run by WORKERS
`flask worker chain` processes; timed until every job is done. The bookkeeping job advance enqueues (the lines marked
"scheduled", one FerretDB transaction per document) runs apart on the `default` queue; it is timed after, alone.
Checked: every holder of both runs holds exactly their amount, read through web3.
The lines turning "paid" from the events (chain-monitor -> Kafka -> chain-sync) is not part of either time; the
tests cover it (tests/integration/distribution_payouts).

    .venv/bin/python -m bench.distribution_payout [holders, default 1000]
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time

from eth_account import Account

from app import create_app
from app.chain.artifacts import contract
from app.chain.tx import function_call, send_call
from app.chain.wallet import hot_wallet
from app.data import init_db
from app.data.mongo import get_db
from app.domain.distributions import payout, rules
from app.domain.payments.stablecoin import faucet, treasury
from app.domain.platform.chain import ensure_platform
from app.events.topics import create_topics
from bench.chain import interval_miner, wait_done, wait_workers
from bench.harness import ROOT, stack_env
from tests.factories import distribution_with_lines

HOLDERS = 1_000
WORKERS = 4


def amounts(count: int) -> dict[str, int]:
    rng = random.Random(1000)
    return {Account.create().address: rng.randint(1, 5_000_00) for _ in range(count)}


def naive(app, usd, nets: dict[str, int], decimals: int) -> float:
    wallet = hot_wallet(app.config)
    started = time.perf_counter()
    for holder, cents in nets.items():
        send_call(wallet.w3, wallet.account, function_call(usd, "transfer", holder,
                                                           rules.stablecoin_units(cents, decimals)))
    elapsed = time.perf_counter() - started
    wallet.nonces.resync(wallet.w3)
    return elapsed


def run(app, env: dict, platform: dict, holders: int) -> float:
    config, db = app.config, get_db(app.config)
    wallet = hot_wallet(config)
    usd = contract(wallet.w3, "TestUSD", platform["stablecoin"]["address"])
    decimals = usd.functions.decimals().call()
    naive_nets, job_nets = amounts(holders), amounts(holders)
    total = sum(rules.stablecoin_units(c, decimals) for c in (*naive_nets.values(), *job_nets.values()))
    faucet(config, treasury(config), total)

    stop = threading.Event()
    miner = threading.Thread(target=interval_miner, args=(wallet.w3, stop))
    miner.start()
    workers = []
    try:
        naive_s = naive(app, usd, naive_nets, decimals)
        distribution = distribution_with_lines(db, job_nets)
        payout.setup(config)
        workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "chain"], cwd=ROOT,
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(WORKERS)]
        wait_workers(config, WORKERS)
        started = time.perf_counter()
        job_ids = payout.advance(config, distribution["_id"])  # includes the one-time approve of the distributor
        enqueued = time.perf_counter() - started
        wait_done(db, job_ids)
        jobs_s = time.perf_counter() - started
    finally:
        stop.set()
        miner.join()
        for worker in workers:
            worker.terminate()
            worker.wait()
    started = time.perf_counter()
    marked = payout.mark_scheduled(config, distribution["_id"])  # what the enqueued bookkeeping job does
    marking_s = time.perf_counter() - started
    wrong = [h for h, c in {**naive_nets, **job_nets}.items()
             if usd.functions.balanceOf(h).call() != rules.stablecoin_units(c, decimals)]
    if wrong:
        raise SystemExit(f"{len(wrong)} holders hold the wrong amount, e.g. {wrong[:3]}")
    print(f"pay {holders} holders in stablecoin: naive transfer-and-wait {naive_s:.2f} s, job path "
          f"({len(job_ids)} distribute jobs of {payout.BATCH_SIZE}, {WORKERS} workers) {jobs_s:.2f} s of which "
          f"batching, approving and enqueueing {enqueued:.2f} s -> {naive_s / jobs_s:.1f}x (goal >= 20x); "
          f"every balance checked through web3; the lines' bookkeeping after it ({marked} lines marked scheduled, "
          f"single-document updates on FerretDB v1) {marking_s:.2f} s, not in the ratio")
    return naive_s / jobs_s


def main() -> None:
    holders = int(sys.argv[1]) if len(sys.argv) > 1 else HOLDERS
    with stack_env() as env:
        app = create_app()
        with app.app_context():
            init_db(get_db())
            create_topics(env["KAFKA_BOOTSTRAP_SERVERS"])
            platform, _ = ensure_platform(app.config)
            run(app, {**os.environ, **env}, platform, holders)


if __name__ == "__main__":
    main()
