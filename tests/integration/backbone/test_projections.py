"""chain-sync's projections: holdings, token status, minted orders, registry membership; replay and reorg safety."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from eth_account import Account
from kafka import KafkaConsumer, TopicPartition

from app.chain import agent as ops
from app.domain.orders.minting import mint_ready_orders
from app.domain.platform import chain_jobs as runner
from app.events.handlers import apply_chain_messages
from app.events.topics import CHAIN_EVENTS
from tests.fixtures.chain import revert_chain
from tests.fixtures.processes import wait_for
from tests.fixtures.suite_offering import settled_orders
from tests.integration.backbone.conftest import caught_up, holding

PROJECTIONS = ("holdings", "chainTokens", "identityRegistrations", "orders", "chainEvents")
VOLATILE = ("updatedAt", "storedAt", "retractedAt", "orderMinted")


def test_projections_follow_the_chain(app, db, monitor, sync, suite, offering, verified, wallet):
    token, w3, agent = suite["token"], wallet.w3, wallet.account
    alice, bob = verified(), verified()
    db.whitelists.insert_one({"offeringId": offering, "address": alice, "status": "approved"})
    orders = settled_orders(db, offering, [alice, bob], [300, 200])
    mint_txs = {runner.execute(app.config, job_id)["txHash"] for job_id in mint_ready_orders(app.config, offering)}
    ops.freeze_partial_tokens(w3, agent, token, alice, 120)
    ops.forced_transfer(w3, agent, token, bob, alice, 50)
    ops.set_address_frozen(w3, agent, token, bob, True)
    ops.burn(w3, agent, token, alice, 10)
    ops.pause(w3, agent, token)
    # chain-sync writes holdings, then chainTokens, then the offering's mirror: wait for the last of them
    wait_for(lambda: (db.chainTokens.find_one({"_id": token}) or {}).get("paused") is True
             and db.offerings.find_one({"_id": offering}).get("tokenPaused") is True, what="the pause")
    assert holding(db, token, alice) == (340, 120, False)
    assert holding(db, token, bob) == (150, 0, True)
    assert db.chainTokens.find_one({"_id": token})["totalSupply"] == "490"
    # chain-sync writes the orders' minted mark after the token's projections: wait for it, do not race it

    def all_minted():
        docs = list(db.orders.find({"_id": {"$in": orders}}))
        done = all(o.get("isMinted") and o["status"] == "minted" and o.get("orderMinted") for o in docs)
        return docs if done else None

    minted = wait_for(all_minted, what="the orders' minted mark")
    assert {o["tx_hash"] for o in minted} == mint_txs, "matched through the job's recorded transaction"
    block = w3.eth.get_block(w3.eth.get_transaction_receipt(minted[0]["tx_hash"])["blockNumber"])
    assert minted[0]["orderMinted"].replace(tzinfo=UTC) == datetime.fromtimestamp(block["timestamp"], UTC)
    # the registry's events travel on another partition (key = registry address): wait for them separately
    registration = wait_for(lambda: db.identityRegistrations.find_one({"registry": suite["identityRegistry"],
                                                                       "wallet": alice}), what="the registration")
    assert registration["registered"] is True
    wait_for(lambda: db.whitelists.find_one({"address": alice}).get("onChainRegistered") is True, what="whitelist")
    ops.delete_identity(w3, agent, suite["identityRegistry"], alice)
    wait_for(lambda: db.whitelists.find_one({"address": alice})["onChainRegistered"] is False, what="the removal")


PARTITIONS = [TopicPartition(CHAIN_EVENTS.name, p) for p in range(CHAIN_EVENTS.partitions)]


def _end_offsets(services) -> dict:
    consumer = KafkaConsumer(bootstrap_servers=services["KAFKA_BOOTSTRAP_SERVERS"].split(","))
    try:
        return consumer.end_offsets(PARTITIONS)
    finally:
        consumer.close()


def _consume(db, services, group: str, start: dict, *, commit: bool, max_idle_s: float = 3) -> int:
    """Consume chain.events from the group's committed offsets (else `start`) until idle; commit only if asked.

    Partitions are assigned, not joined: the group only stores offsets, so no rebalance wait.
    `start` keeps the earlier tests' messages of the session out of this test.
    """
    consumer = KafkaConsumer(bootstrap_servers=services["KAFKA_BOOTSTRAP_SERVERS"].split(","), group_id=group,
                             enable_auto_commit=False)
    consumer.assign(PARTITIONS)
    for partition in PARTITIONS:
        committed = consumer.committed(partition)
        consumer.seek(partition, committed if committed is not None else start[partition])
    applied, idle_since, deadline = 0, time.monotonic(), time.monotonic() + 120
    try:
        while time.monotonic() - idle_since < max_idle_s and time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=300)
            for records in batch.values():
                apply_chain_messages(db, [json.loads(r.value) for r in records])
                applied += len(records)
                idle_since = time.monotonic()
            if batch and commit:
                consumer.commit()
    finally:
        consumer.close(autocommit=False)
    return applied


def _snapshot(db) -> dict:
    return {name: sorted(json.dumps({k: v for k, v in doc.items() if k not in VOLATILE}, sort_keys=True, default=str)
                          for doc in db[name].find({}))
            for name in PROJECTIONS}


def test_a_consumer_killed_between_write_and_commit_converges(app, db, monitor, suite, offering, verified, wallet,
                                                              services):
    token, w3, agent = suite["token"], wallet.w3, wallet.account
    holders = [verified() for _ in range(3)]
    wait_for(lambda: caught_up(db, wallet), what="the monitor to republish the session's earlier blocks")
    start = _end_offsets(services)
    settled_orders(db, offering, holders, [70, 80, 90])
    for job_id in mint_ready_orders(app.config, offering):
        runner.execute(app.config, job_id)
    ops.freeze_partial_tokens(w3, agent, token, holders[0], 30)
    ops.forced_transfer(w3, agent, token, holders[1], holders[2], 40)
    wait_for(lambda: caught_up(db, wallet), what="the monitor to publish everything")
    group = f"crash-{time.monotonic_ns()}"
    assert _consume(db, services, group, start, commit=False) > 0  # wrote everything, "died" before any commit
    _consume(db, services, group, start, commit=True)  # the restarted consumer replays from the last commit
    crashed = _snapshot(db)
    for name in ("holdings", "chainTokens", "identityRegistrations", "chainEvents"):
        db[name].delete_many({})
    db.orders.update_many({}, {"$unset": {"isMinted": "", "tx_hash": "", "orderMinted": ""}, "$set": {
        "status": "settled"}})
    _consume(db, services, f"clean-{time.monotonic_ns()}", start, commit=True)
    assert _snapshot(db) == crashed
    assert holding(db, token, holders[2]) == (130, 0, False)


def test_holdings_converge_after_a_reorg(app, db, monitor, sync, suite, verified, wallet):
    token, w3, agent = suite["token"], wallet.w3, wallet.account
    holder = verified()
    ops.mint(w3, agent, token, holder, 100)
    wait_for(lambda: holding(db, token, holder)[0] == 100, what="the first mint")
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    ops.mint(w3, agent, token, holder, 1)
    ops.freeze_partial_tokens(w3, agent, token, holder, 50)
    wait_for(lambda: holding(db, token, holder) == (101, 50, False), what="the doomed branch")
    revert_chain(w3, snapshot)
    wallet.nonces.resync(w3)
    for _ in range(3):  # the new branch is longer than the dropped one
        ops.mint(w3, agent, token, holder, 7)
    wait_for(lambda: holding(db, token, holder) == (121, 0, False), what="holdings of the new chain")
    # the token's supply is written just after its holdings (same batch, next write)
    wait_for(lambda: db.chainTokens.find_one({"_id": token})["totalSupply"] == "121", what="the new chain's supply")
    assert db.chainEvents.count_documents({"address": token, "retracted": True}) == 2  # the mint of 1 and the freeze
    outsider = Account.create().address
    assert holding(db, token, outsider) == (0, 0, False)
