"""Chain backbone speed, as ratios measured in one run on a throw-away stack.

1. Minting 1,000 settled orders through the job path (orders claimed into batchMint jobs,
   run by RQ workers with the shared nonce manager) vs a naive loop that sends one mint and
   waits for its receipt each time. Goal: >= 20x.
2. chain-sync throughput (Kafka -> event store + projections in MongoDB, events/s, timed from
   the first records polled) vs a raw pymongo bulk upsert of the same event documents.
   Goal: >= 0.5. A raw insert_many of them is printed too, for scale.
3. Lag from a mined block to its events being in MongoDB (event store and projections)
   through the real chain-monitor and chain-sync processes (CHAIN_POLL_SECONDS=0.1), the
   monitor starting at the chain head: p50 and p95.

    .venv/bin/python -m bench.chain [mint] [sync] [lag]     (default: all three)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

from bson import ObjectId
from eth_account import Account
from pymongo import UpdateOne
from rq import Worker
from web3 import Web3

from app import create_app
from app.chain import agent as ops
from app.chain.identity import add_claim, create_identity
from app.chain.suite import deploy_token_suite
from app.chain.wallet import hot_wallet
from app.data import chain_checkpoints, chain_contracts, chain_events, chain_jobs, init_db
from app.data.mongo import get_db
from app.domain.orders.minting import mint_ready_orders
from app.domain.platform.chain import ensure_platform
from app.events.producer import producer
from app.events.topics import CHAIN_EVENTS, create_topics
from app.tasks import queues
from bench.harness import ROOT, stack_env
from workers import chain_sync

ORDERS = 1_000
HOLDERS = 20
WORKERS = 8
BATCH = 40  # 300-400k gas per new recipient with our compliance modules: a batch stays well under 30M gas
SYNC_EVENTS = 3_000
LAG_SAMPLES = 40
SECTIONS = ("mint", "sync", "lag")
WALLETS = 300
TRANSFER = "Transfer(address,address,uint256)"


def new_suite(config: dict, platform: dict) -> tuple[str, list[str], ObjectId]:
    """A live suite, HOLDERS verified wallets, and an offering pointing at it."""
    wallet = hot_wallet(config)
    w3, agent = wallet.w3, wallet.account
    suite = deploy_token_suite(w3, agent, platform, salt=f"bench-{uuid.uuid4().hex[:8]}", name="Bench", symbol="BCH",
                               decimals=0, owner=agent.address, agents=[agent.address], authorized_countries=[250],
                               max_balance=0, supply_cap=0)
    ops.unpause(w3, agent, suite["token"])
    signer = Account.from_key(config["CLAIM_SIGNER_PRIVATE_KEY"])
    holders = [Account.create().address for _ in range(HOLDERS)]
    identities = []
    for holder in holders:
        identity = create_identity(w3, agent, platform, holder)
        add_claim(w3, agent, platform, identity, signer, data=b"kyc:ok")
        identities.append(identity)
    ops.batch_register_identity(w3, agent, suite["identityRegistry"], holders, identities, [250] * HOLDERS)
    offering = get_db(config).offerings.insert_one({"status": "live", "tokenAddress": suite["token"],
                                                    "identityRegistry": suite["identityRegistry"]}).inserted_id
    return suite["token"], holders, offering


def settled(db, offering, holders: list[str]) -> list[dict]:
    docs = [{"offeringId": offering, "walletAddress": holders[n % len(holders)], "quantity": 1 + n % 7,
             "isSettled": True, "status": "settled"} for n in range(ORDERS)]
    db.orders.insert_many(docs)
    return docs


def bench_minting(app, env: dict, platform: dict) -> float:
    config, db = app.config, get_db(app.config)
    wallet = hot_wallet(config)
    token, holders, offering = new_suite(config, platform)
    docs = settled(db, offering, holders)
    started = time.perf_counter()
    for doc in docs:
        ops.mint(wallet.w3, wallet.account, token, doc["walletAddress"], doc["quantity"])
    naive = time.perf_counter() - started
    wallet.nonces.resync(wallet.w3)

    token, holders, offering = new_suite(config, platform)
    settled(db, offering, holders)
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "chain"], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(WORKERS)]
    wait_workers(config, WORKERS)  # every worker up and listening before the clock starts
    stop = threading.Event()
    miner = threading.Thread(target=interval_miner, args=(wallet.w3, stop))
    miner.start()
    try:
        started = time.perf_counter()
        job_ids = mint_ready_orders(config, offering, batch_size=BATCH)
        enqueued = time.perf_counter() - started
        wait_done(db, job_ids)
        jobs = time.perf_counter() - started
    finally:
        stop.set()
        miner.join()
        for worker in workers:
            worker.terminate()
            worker.wait()
    print(f"mint {ORDERS} orders: naive send-and-wait {naive:.2f} s, job path ({len(job_ids)} batchMint jobs, "
          f"{WORKERS} workers) {jobs:.2f} s of which claiming and enqueueing {enqueued:.2f} s "
          f"-> {naive / jobs:.1f}x (goal >= 20x)")
    return naive / jobs


def wait_workers(config: dict, count: int) -> None:
    """Until `count` RQ workers listen on the chain queue (importing the app takes seconds on a busy machine)."""
    queue = queues.queue(queues.CHAIN, config)
    while Worker.count(queue=queue) < count:
        time.sleep(0.1)
    time.sleep(0.5)  # registered just before they block on the queue


def wait_done(db, job_ids: list[str]) -> None:
    """Until every job is done, reading each by `_id` (FerretDB v1 scans the collection for any other query,
    and a scan every few milliseconds would take CPU from the workers being measured)."""
    waiting = list(job_ids)
    while waiting:
        waiting = [j for j in waiting if (chain_jobs.get(db, j) or {}).get("status") != chain_jobs.DONE]
        time.sleep(0.02)


def interval_miner(w3, stop: threading.Event) -> None:
    """Mine whatever waits in anvil's pool, as a chain with a block time would.

    anvil's automine builds a block when a transaction arrives; transactions that did not fit
    in that block's gas limit wait for the next arrival, which never comes at the end of a
    burst. A real chain keeps producing blocks; this stands in for that.
    """
    while not stop.wait(0.05):
        if int(w3.provider.make_request("txpool_status", [])["result"]["pending"], 16):
            w3.provider.make_request("evm_mine", [])


def synthetic_events(token: str, count: int) -> list[dict]:
    """Transfer logs as chain-monitor publishes them: mints to WALLETS wallets, then transfers between them."""
    wallets = [Account.create().address for _ in range(WALLETS)]
    events = []
    for n in range(count):
        block, index = 1_000_000 + n // 10, n % 10
        source = "0x" + "0" * 40 if n < WALLETS else wallets[n % WALLETS]
        events.append({"id": f"31337:0x{block:064x}:{index}", "kind": "log", "chainId": 31337, "event": "Transfer",
                       "address": token, "blockNumber": block, "blockHash": f"0x{block:064x}", "logIndex": index,
                       "transactionHash": f"0x{n:064x}", "args": {"from": source, "to": wallets[(n * 7 + 1) % WALLETS],
                                                                   "value": 1 if n >= WALLETS else 1_000_000}})
    return events


class FirstPoll:
    """The consumer, noting when its first records arrived: throughput is timed from there, not from the
    group join (a fixed start-up cost, not events per second)."""

    def __init__(self, consumer):
        self.consumer, self.first = consumer, None

    def poll(self, **kwargs):
        batch = self.consumer.poll(**kwargs)
        if batch and self.first is None:
            self.first = time.perf_counter()
        return batch

    def commit(self):
        self.consumer.commit()

    def close(self):
        self.consumer.close()


def bench_sync(app, env: dict) -> float:
    db = get_db(app.config)
    token = Account.create().address
    events = synthetic_events(token, SYNC_EVENTS)
    kafka = producer.get(app.config)
    for event in events:
        kafka.send(CHAIN_EVENTS.name, key=event["address"], value=event)
    kafka.flush()
    consumer = FirstPoll(chain_sync.make_consumer(env["KAFKA_BOOTSTRAP_SERVERS"],
                                                  group_id=f"bench-{uuid.uuid4().hex[:6]}"))
    stop = threading.Event()
    def consume() -> None:
        with app.app_context():  # as in `flask chain sync`: handlers may read the app's config
            chain_sync.run(consumer, db, lambda *a: None, lambda: None, stop)

    runner = threading.Thread(target=consume)
    runner.start()
    last = (events[-1]["blockNumber"], events[-1]["logIndex"])
    while ((doc := db.chainTokens.find_one({"_id": token})) is None  # by _id: no scan competing with the consumer
           or (doc["wmBlock"], doc["wmLog"]) != last):
        time.sleep(0.02)
    synced = time.perf_counter() - consumer.first
    stop.set()
    runner.join()
    assert db.chainEvents.count_documents({"address": token}) == SYNC_EVENTS

    docs = [{**chain_events.storable(e), "_id": e["id"]} for e in events]  # what the event store writes
    scratch = db["benchRawUpsert"]
    started = time.perf_counter()
    for offset in range(0, len(docs), 1000):
        scratch.bulk_write([UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True)
                            for d in docs[offset:offset + 1000]], ordered=True)
    raw = time.perf_counter() - started
    scratch.drop()
    started = time.perf_counter()
    db["benchRawInsert"].insert_many(docs, ordered=False)
    inserted = time.perf_counter() - started
    db["benchRawInsert"].drop()
    sync_rate, raw_rate = SYNC_EVENTS / synced, SYNC_EVENTS / raw
    print(f"chain-sync {SYNC_EVENTS:,} events in {synced:.2f} s = {sync_rate:,.0f} events/s (event store + holdings "
          f"+ token projections) vs raw bulk upsert {raw:.2f} s = {raw_rate:,.0f} docs/s -> {sync_rate / raw_rate:.2f} "
          f"(goal >= 0.5); a raw insert_many of the same documents takes {inserted:.2f} s "
          f"({SYNC_EVENTS / inserted:,.0f} docs/s, chain-sync at {inserted / synced:.2f} of it)")
    return sync_rate / raw_rate


def bench_lag(app, env: dict, platform: dict) -> tuple[float, float]:
    db = get_db(app.config)
    wallet = hot_wallet(app.config)
    token, holders, _ = new_suite(app.config, platform)
    follow_from_head(db, wallet.w3, token)
    lag_env = {**env, "CHAIN_POLL_SECONDS": "0.1"}
    argv = [sys.executable, "-m", "flask", "--app", "wsgi", "chain"]
    processes = [subprocess.Popen([*argv, name], cwd=ROOT, env=lag_env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for name in ("monitor", "sync")]
    try:
        ops.mint(wallet.w3, wallet.account, token, holders[0], 1)
        while db.chainTokens.find_one({"_id": token}) is None:
            time.sleep(0.05)  # both processes up and caught up
        lags = []
        for n in range(LAG_SAMPLES):
            receipt = ops.mint(wallet.w3, wallet.account, token, holders[n % HOLDERS], 1)
            mined = time.perf_counter()
            position = transfer_position(token, receipt)
            while token_watermark(db, token) < position:
                time.sleep(0.002)
            lags.append((time.perf_counter() - mined) * 1000)
    finally:
        for process in processes:
            process.terminate()
            process.wait()
    p50, p95 = statistics.median(lags), statistics.quantiles(lags, n=20)[18]
    print(f"block -> MongoDB lag over {LAG_SAMPLES} blocks: p50 {p50:.0f} ms, p95 {p95:.0f} ms "
          f"(monitor poll 0.1 s, 0 confirmations; until the event store and the projections hold the mint)")
    return p50, p95


def follow_from_head(db, w3, token: str) -> None:
    """The monitor starts at the chain head watching the bench's token: lag is measured on new blocks,
    not on a replay of the whole bench chain (the mint section's thousand orders)."""
    head, chain_id = w3.eth.get_block("latest"), w3.eth.chain_id
    chain_checkpoints.save(db, f"chain-monitor:{chain_id}", head["number"],
                           [{"number": head["number"], "hash": head["hash"].to_0x_hex(), "addresses": []}])
    chain_contracts.add(db, chain_id, {token: "suite"}, source="bench")


def token_watermark(db, token: str) -> tuple[int, int]:
    """Position of the last event chain-sync folded into the token's projection (written after the event
    store), read by `_id` from a collection of a few documents: FerretDB v1 scans the table for any read,
    and a scan of the event store every 2 ms would slow the consumer being measured."""
    doc = db.chainTokens.find_one({"_id": token}, {"wmBlock": 1, "wmLog": 1}) or {}
    return doc.get("wmBlock", -1), doc.get("wmLog", -1)


def transfer_position(token: str, receipt) -> tuple[int, int]:
    """(block, log index) of the receipt's Transfer log."""
    log = next(entry for entry in receipt["logs"]
               if entry["address"] == token and entry["topics"][0] == Web3.keccak(text=TRANSFER))
    return log["blockNumber"], log["logIndex"]


def main() -> None:
    with stack_env() as env:
        app = create_app()
        with app.app_context():
            init_db(get_db())
            create_topics(env["KAFKA_BOOTSTRAP_SERVERS"])
            platform, _ = ensure_platform(app.config)
            full_env = {**os.environ, **env}
            chosen = sys.argv[1:] or SECTIONS
            if "mint" in chosen:
                bench_minting(app, full_env, platform)
            if "sync" in chosen:
                bench_sync(app, full_env)
            if "lag" in chosen:
                bench_lag(app, full_env, platform)


if __name__ == "__main__":
    main()
