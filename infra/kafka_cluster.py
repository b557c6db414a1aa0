"""A three-node Kafka cluster (KRaft, each node broker and controller) on loopback, for the scale-out tests.

Production runs Kafka as a cluster: `chain.events` replicated three times with two in-sync replicas
required, so a broker can die without losing an acknowledged message (the producer uses acks=all)
and the controllers keep their quorum. This starts the same shape on one machine, each node a
child process in its own session that a test may kill -9.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from infra import tools
from infra.stack import StackError, _kafka_answers, _run_or_fail, kafka_cluster_id, min_heap, start_detached_but_tied


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def node_properties(node: int, ports: list[int], controllers: list[int], data: Path) -> str:
    voters = ",".join(f"{n}@127.0.0.1:{port}" for n, port in enumerate(controllers, 1))
    return "\n".join([
        "process.roles=broker,controller",
        f"node.id={node}",
        f"controller.quorum.voters={voters}",
        f"listeners=PLAINTEXT://127.0.0.1:{ports[node - 1]},CONTROLLER://127.0.0.1:{controllers[node - 1]}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{ports[node - 1]}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={data}",
        "num.partitions=3",
        "default.replication.factor=3",
        "min.insync.replicas=2",
        "offsets.topic.replication.factor=3",
        "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=3",
        "transaction.state.log.min.isr=2",
        "share.coordinator.state.topic.replication.factor=3",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "unclean.leader.election.enable=false",
        "",
    ])


@dataclass
class KafkaCluster:
    base: Path
    nodes: int = 3
    heap: str = "320m"
    ports: list[int] = field(default_factory=list)
    controllers: list[int] = field(default_factory=list)
    processes: dict[int, subprocess.Popen] = field(default_factory=dict)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def _java(self) -> list[str]:
        return [tools.require("java"), f"-Xmx{self.heap}", f"-Xms{min_heap(self.heap)}", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true", "-cp", tools.kafka_classpath()]

    def start(self) -> None:
        free = _free_ports(2 * self.nodes)
        self.ports, self.controllers = free[:self.nodes], free[self.nodes:]
        cluster_id, logs = kafka_cluster_id(), self.base / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        try:
            for node in range(1, self.nodes + 1):
                data, config = self.base / f"node{node}" / "data", self.base / f"node{node}" / "server.properties"
                data.mkdir(parents=True, exist_ok=True)
                config.write_text(node_properties(node, self.ports, self.controllers, data))
                _run_or_fail(f"kafka node {node}", [*self._java(), "kafka.tools.StorageTool", "format",
                                                    f"--cluster-id={cluster_id}", "-c", str(config)],
                             logs / f"format-{node}.log")
                self.processes[node] = subprocess.Popen(
                    [*self._java(), "kafka.Kafka", str(config)], stdin=subprocess.DEVNULL,
                    stdout=(logs / f"node{node}.log").open("ab"), stderr=subprocess.STDOUT,
                    preexec_fn=start_detached_but_tied)
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for node, port in enumerate(self.ports, 1):
            while not _kafka_answers(port):
                if self.processes[node].poll() is not None or time.monotonic() > deadline:
                    raise StackError(f"kafka node {node} did not start; see {self.base / 'logs' / f'node{node}.log'}")
                time.sleep(0.5)

    def create_topic(self, name: str, partitions: int, replication: int = 3, min_insync: int = 2) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers.split(","), request_timeout_ms=20000)
        try:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([NewTopic(name, partitions, replication,
                                              topic_configs={"min.insync.replicas": str(min_insync)})],
                                    timeout_ms=20000)
        finally:
            admin.close()

    def in_sync_replicas(self, topic: str) -> dict[int, list[int]]:
        """{partition: in-sync replica node ids} as the cluster reports them."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers.split(","), request_timeout_ms=20000)
        try:
            described = admin.describe_topics([topic])[0]
        except KafkaError as error:
            raise StackError(f"cannot describe {topic}: {error}") from error
        finally:
            admin.close()
        return {p["partition_index"]: sorted(p["isr_nodes"]) for p in described["partitions"]}

    def kill(self, node: int) -> None:
        """kill -9 one node (its whole process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.processes[node].pid, signal.SIGKILL)
        self.processes[node].wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
