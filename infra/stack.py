"""Starts and stops the platform's real servers on loopback: Redis, FerretDB, Kafka (KRaft) and anvil.

Used by `make run` (fixed ports, data under var/) and by the test suite (free ports, a
temporary directory). Every failure stops what was already started and raises
StackError with one message naming the component, what went wrong and what to do.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pymongo
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from infra import tools

ROOT = Path(__file__).resolve().parent.parent


class StackError(RuntimeError):
    """A component could not start; the message says which, why, and what to do."""


@dataclass
class Ports:
    redis: int = 6379
    mongo: int = 27017
    kafka: int = 9092
    kafka_controller: int = 9093
    anvil: int = 8545

    @classmethod
    def free(cls) -> Ports:
        """Distinct free loopback ports (for an isolated test stack)."""
        sockets = [socket.socket() for _ in range(5)]
        try:
            for s in sockets:
                s.bind(("127.0.0.1", 0))
            return cls(*(s.getsockname()[1] for s in sockets))
        finally:
            for s in sockets:
                s.close()


@dataclass
class Service:
    name: str
    port: int
    argv: list[str]
    ready: Callable[[], bool]
    timeout: float
    prepare: Callable[[], None] = lambda: None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None


_PR_SET_PDEATHSIG = 1


def start_detached_but_tied() -> None:
    """In the child before exec: its own session (Ctrl-C in a terminal goes to the supervisor only),
    and SIGTERM when the process that started it dies, so a killed test run or `make run` leaves no
    server behind."""
    os.setsid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tcp_says(port: int, send: bytes, expect: bytes) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(send)
            return s.recv(64).startswith(expect)
    except OSError:
        return False


def _rpc_answers(port: int) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return "result" in json.loads(response.read())
    except (OSError, ValueError):
        return False


def _mongo_answers(port: int) -> bool:
    client = pymongo.MongoClient(f"mongodb://127.0.0.1:{port}/", serverSelectionTimeoutMS=500)
    try:
        return client.admin.command("ping").get("ok") == 1.0
    except pymongo.errors.PyMongoError:
        return False
    finally:
        client.close()


def _kafka_answers(port: int) -> bool:
    if not _port_in_use(port):
        return False
    try:
        admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{port}", request_timeout_ms=2000)
    except KafkaError:
        return False
    try:
        admin.list_topics()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


class Stack:
    """The four servers, each a child process in its own session with its log under `base/logs`."""

    def __init__(self, base: Path, ports: Ports, *, kafka_heap: str = "512m"):
        self.base, self.ports, self.kafka_heap = Path(base), ports, kafka_heap
        self.logs = self.base / "logs"
        self.services = [self._kafka(), self._redis(), self._ferretdb(), self._anvil()]

    # --- the services -------------------------------------------------------------------------
    def _redis(self) -> Service:
        data = self.base / "redis"
        return Service("redis", self.ports.redis,
                       [tools.require("redis-server"), "--bind", "127.0.0.1", "--port", str(self.ports.redis),
                        "--dir", str(data), "--save", "60 1", "--appendonly", "no", "--daemonize", "no",
                        "--protected-mode", "yes", "--logfile", ""],
                       lambda: _tcp_says(self.ports.redis, b"PING\r\n", b"+PONG"), 15,
                       prepare=lambda: data.mkdir(parents=True, exist_ok=True))

    def _ferretdb(self) -> Service:
        return Service("ferretdb", self.ports.mongo,
                       [tools.ferretdb_binary(), "-listen-addr", f"127.0.0.1:{self.ports.mongo}",
                        "-data-dir", str(self.base / "ferretdb"), "-log-level", "warn"],
                       lambda: _mongo_answers(self.ports.mongo), 30)

    def _anvil(self) -> Service:
        data = self.base / "anvil"
        return Service("anvil", self.ports.anvil,
                       [tools.anvil_binary(), "--host", "127.0.0.1", "--port", str(self.ports.anvil),
                        "--state", str(data / "state.json"), "--state-interval", "5", "--silent"],
                       lambda: _rpc_answers(self.ports.anvil), 20,
                       prepare=lambda: data.mkdir(parents=True, exist_ok=True))

    def _kafka(self) -> Service:
        data, config = self.base / "kafka" / "data", self.base / "kafka" / "server.properties"
        java = [tools.require("java"), f"-Xmx{self.kafka_heap}", f"-Xms{min_heap(self.kafka_heap)}",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-cp", tools.kafka_classpath()]

        def prepare() -> None:
            data.mkdir(parents=True, exist_ok=True)
            config.write_text(kafka_properties(self.ports, data))
            if not (data / "meta.properties").exists():  # KRaft storage is formatted once
                _run_or_fail("kafka", [*java, "kafka.tools.StorageTool", "format", "--standalone",
                                      f"--cluster-id={kafka_cluster_id()}", "-c", str(config)],
                             self.logs / "kafka-format.log")

        return Service("kafka", self.ports.kafka, [*java, "kafka.Kafka", str(config)],
                       lambda: _kafka_answers(self.ports.kafka), 60, prepare=prepare)

    # --- lifecycle ----------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """Settings pointing the platform at this stack."""
        return {
            "MONGO_URI": f"mongodb://127.0.0.1:{self.ports.mongo}/",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports.redis}/0",
            "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{self.ports.kafka}",
            "ETH_RPC_URL": f"http://127.0.0.1:{self.ports.anvil}",
        }

    def start(self) -> None:
        """Start every service and wait until each answers; on any failure stop all and raise."""
        self.logs.mkdir(parents=True, exist_ok=True)
        busy = [f"{s.name} port {s.port}" for s in self.services if _port_in_use(s.port)]
        if self.ports.kafka_controller and _port_in_use(self.ports.kafka_controller):
            busy.append(f"kafka controller port {self.ports.kafka_controller}")
        if busy:
            raise StackError(f"port in use: {', '.join(busy)}. Stop whatever listens there "
                             "(`ss -ltnp` shows it) or choose other ports (see README, LIBERTUM_*_PORT).")
        try:
            for service in self.services:
                service.prepare()
                service.process = subprocess.Popen(service.argv, stdin=subprocess.DEVNULL,
                                                   stdout=(self.logs / f"{service.name}.log").open("ab"),
                                                   stderr=subprocess.STDOUT, preexec_fn=start_detached_but_tied,
                                                   env={**os.environ, **service.env})
            with ThreadPoolExecutor(len(self.services)) as pool:
                list(pool.map(self._wait_ready, self.services))
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, service: Service) -> None:
        deadline = time.monotonic() + service.timeout
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise StackError(f"{service.name} exited with code {service.process.returncode} while starting. "
                                 f"Last lines of {self.logs / (service.name + '.log')}:\n{self._tail(service)}")
            if service.ready():
                return
            time.sleep(0.2)
        raise StackError(f"{service.name} did not answer on 127.0.0.1:{service.port} within {service.timeout:.0f} s. "
                         f"Last lines of its log:\n{self._tail(service)}")

    def _tail(self, service: Service, lines: int = 15) -> str:
        path = self.logs / f"{service.name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM every service (anvil then writes its state), SIGKILL what is left after `timeout`."""
        running = [s for s in self.services if s.process and s.process.poll() is None]
        for service in running:
            _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for service in running:
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(service.process, signal.SIGKILL)
                service.process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone: nothing to stop
        os.killpg(process.pid, signum)


def _run_or_fail(component: str, argv: list[str], log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-10:])
        raise StackError(f"{component}: `{' '.join(argv[-6:])}` failed with code {result.returncode}:\n{tail}")


def kafka_cluster_id() -> str:
    """A cluster id as Kafka writes them: a random UUID, base64url without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


def min_heap(heap: str) -> str:
    return "128m" if heap.endswith("m") and int(heap[:-1]) > 128 else heap


def kafka_properties(ports: Ports, data: Path) -> str:
    """One KRaft node (broker + controller) on loopback, sized for a laptop and for tests."""
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{ports.kafka_controller}",
        f"listeners=PLAINTEXT://127.0.0.1:{ports.kafka},CONTROLLER://127.0.0.1:{ports.kafka_controller}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{ports.kafka}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={data}",
        "num.partitions=3",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=10",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "log.retention.hours=168",
        "",
    ])


def remove_data(base: Path) -> None:
    """Delete a stack's data (tests only; `make run` keeps var/)."""
    shutil.rmtree(base, ignore_errors=True)
