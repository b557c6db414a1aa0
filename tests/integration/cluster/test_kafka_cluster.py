"""Scale-out on a real cluster: three Kafka brokers (KRaft) with `chain.events` replicated three times and two
in-sync replicas required, two chain-sync consumers in one group. One broker and one consumer are killed
(-9) while events flow: the projections equal a clean run's, every event stored once."""

from __future__ import annotations

import random
import signal

import pytest
from eth_account import Account
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from app.chain.constants import ZERO_ADDRESS
from app.events.handlers import apply_chain_messages
from app.events.producer import producer, publish
from app.events.topics import ALL, CHAIN_EVENTS, create_topics
from app.metrics.platform import chain_sync_offsets
from infra.kafka_cluster import KafkaCluster
from tests.fixtures.chain_events import log_message
from tests.fixtures.processes import flask_argv, start_process, stop_process, wait_for

PROJECTIONS = ("holdings", "chainTokens", "chainEvents")
VOLATILE = ("updatedAt", "storedAt")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    kafka = KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"))
    kafka.start()
    kafka.create_topic(CHAIN_EVENTS.name, CHAIN_EVENTS.partitions, replication=3, min_insync=2)
    create_topics(kafka.bootstrap_servers, replication_factor=3)  # the other topics, same replication
    yield kafka
    producer.reset()
    kafka.stop()


def token_history(rng: random.Random, tokens: int = 4, wallets: int = 5, transfers: int = 40) -> list[dict]:
    """Mints then transfers of several tokens (each within the sender's balance), interleaved as on a chain."""
    per_token = []
    for _ in range(tokens):
        token, holders = Account.create().address, [Account.create().address for _ in range(wallets)]
        balances, events = dict.fromkeys(holders, 0), []
        for holder in holders:
            amount = rng.randrange(10**18, 10**21)
            balances[holder] += amount
            events.append(("Transfer", token, {"from": ZERO_ADDRESS, "to": holder, "value": amount}))
        for _ in range(transfers):
            sender, receiver = rng.sample(holders, 2)
            amount = rng.randrange(0, balances[sender] + 1)
            balances[sender], balances[receiver] = balances[sender] - amount, balances[receiver] + amount
            events.append(("Transfer", token, {"from": sender, "to": receiver, "value": amount}))
        per_token.append(events)
    interleaved = [event for step in zip(*per_token, strict=True) for event in step]
    return [log_message(name, token, args) for name, token, args in interleaved]


def snapshot(db, tokens: set[str]) -> dict[str, list[dict]]:
    keys = {"holdings": "token", "chainTokens": "_id", "chainEvents": "address"}
    return {name: sorted(({k: v for k, v in doc.items() if k not in VOLATILE}
                          for doc in db[name].find({keys[name]: {"$in": sorted(tokens)}})), key=lambda d: str(d["_id"]))
            for name in PROJECTIONS}


def group_members(cluster) -> int:
    """Members of the chain-sync group once it is stable (0 while it rebalances)."""
    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers.split(","))
    try:
        group = admin.describe_groups(["chain-sync"])["chain-sync"]
    except KafkaError:  # the group's coordinator is still being elected
        return 0
    finally:
        admin.close()
    return len(group["members"]) if group["group_state"] == "Stable" else 0


def send(messages: list[dict], config: dict) -> None:
    for message in messages:
        publish(CHAIN_EVENTS.name, message["address"], message, config)
    producer.get(config).flush(30)


def test_a_broker_and_a_consumer_die_while_events_flow_and_nothing_is_lost_or_doubled(app, db, services, cluster,
                                                                                      tmp_path):
    config = {**app.config, "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers}
    env = {**services, "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers}
    messages = token_history(random.Random(3643))
    tokens = {m["address"] for m in messages}
    consumers = [start_process(flask_argv("chain", "sync"), env, f"chain-sync-{n}", tmp_path) for n in (1, 2)]
    try:
        first, rest = messages[:60], messages[60:]
        wait_for(lambda: group_members(cluster) == 2, 90, "both consumers in the group")
        send(first, config)
        wait_for(lambda: db.chainEvents.count_documents({"address": {"$in": sorted(tokens)}}) >= len(first), 90,
                 "the first events applied by the two consumers")
        cluster.kill(2)
        consumers[0].send_signal(signal.SIGKILL)
        send(rest, config)  # acks=all: two in-sync replicas of three still take every message
        wait_for(lambda: sum(end - done for done, end in chain_sync_offsets(config).values()) == 0
                 and db.chainEvents.count_documents({"address": {"$in": sorted(tokens)}}) == len(messages), 150,
                 "the surviving consumer to apply every event")
        assert all(len(isr) >= 2 for isr in cluster.in_sync_replicas(CHAIN_EVENTS.name).values())
    finally:
        for consumer in consumers:
            stop_process(consumer)
    after_faults = snapshot(db, tokens)
    assert len(after_faults["chainEvents"]) == len(messages)
    assert len(after_faults["holdings"]) == 4 * 5
    for name in PROJECTIONS:
        db[name].delete_many({})
    assert apply_chain_messages(db, messages) == []  # the clean run: the same events through the same handler
    assert snapshot(db, tokens) == after_faults


def test_every_topic_is_replicated_on_the_three_brokers(cluster):
    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers.split(","))
    try:
        described = admin.describe_topics([t.name for t in ALL])
    finally:
        admin.close()
    partitions = [p for topic in described for p in topic["partitions"]]
    assert partitions and all(len(p["replica_nodes"]) == 3 for p in partitions)
