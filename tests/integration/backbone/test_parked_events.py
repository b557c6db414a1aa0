"""chain-sync and a bad event: the poison is parked and dead-lettered, the rest applies, the replay finishes the job."""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import subprocess
import threading
import time

from bson import ObjectId
from eth_account import Account
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from app import locks
from app.chain.constants import ZERO_ADDRESS
from app.data import holdings, parked_contracts, parked_events
from app.events.failures import is_transient
from app.events.topics import CHAIN_EVENTS, CHAIN_EVENTS_DLQ
from app.extensions import redis_client
from tests.fixtures.accounts import BrowserClient, login, make_user
from tests.fixtures.processes import ROOT, flask_argv, start_process, stop_process, wait_for
from tests.integration.backbone.conftest import holding

DLQ = TopicPartition(CHAIN_EVENTS_DLQ.name, 0)


def log(address: str, block: int, event: str = "Transfer", **args) -> dict:
    block_hash = "0x" + secrets.token_hex(32)
    return {"id": f"31337:{block_hash}:0", "kind": "log", "chainId": 31337, "event": event, "address": address,
            "blockNumber": block, "blockHash": block_hash, "logIndex": 0, "blockTimestamp": 1_700_000_000 + block,
            "transactionHash": "0x" + secrets.token_hex(32), "args": args}


def mint(address: str, block: int, to: str, value: int) -> dict:
    return log(address, block, **{"from": ZERO_ADDRESS, "to": to, "value": value})


def publish(services, *messages, partition: int | None = None) -> None:
    """(key, value) pairs to chain.events in this order; a bytes value goes as it is (an undecodable message).

    `partition`: all of them on that one partition, so chain-sync meets them in one batch."""
    producer = KafkaProducer(bootstrap_servers=services["KAFKA_BOOTSTRAP_SERVERS"].split(","), acks="all")
    for key, value in messages:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        producer.send(CHAIN_EVENTS.name, key=key.encode(), value=raw, partition=partition)
    producer.flush()
    producer.close()


def dlq_end(services) -> int:
    consumer = KafkaConsumer(bootstrap_servers=services["KAFKA_BOOTSTRAP_SERVERS"].split(","))
    try:
        return consumer.end_offsets([DLQ])[DLQ]
    finally:
        consumer.close()


def dead_letters(services, start: int, count: int) -> list[dict]:
    consumer = KafkaConsumer(bootstrap_servers=services["KAFKA_BOOTSTRAP_SERVERS"].split(","),
                             enable_auto_commit=False)
    consumer.assign([DLQ])
    consumer.seek(DLQ, start)
    found, deadline = [], time.monotonic() + 30
    try:
        while len(found) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                found += [json.loads(r.value) for r in records]
    finally:
        consumer.close()
    return found


def corrupt_holding(db, token: str, wallet: str) -> None:
    """A projection document no handler can read: the events that touch it fail until staff repair it."""
    db.holdings.insert_one({"_id": holdings.holding_id(token, wallet), "token": token, "wallet": wallet,
                            "balance": "not a number", "frozen": "0", "isFrozen": False, "wmBlock": -1, "wmLog": -1})


def flask_chain(services, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(flask_argv("chain", *args), cwd=ROOT, env=services, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_poison_event_is_parked_and_the_platform_goes_on(app, db, services, sync):
    a, b, c = (Account.create().address for _ in range(3))
    x, y, z = (Account.create().address for _ in range(3))
    corrupt_holding(db, a, z)
    first, poison, later = mint(a, 10, x, 100), mint(a, 11, z, 3), mint(a, 12, x, 5)
    start = dlq_end(services)
    # one partition, one batch: the failing batch must be narrowed down to the poison, its neighbours applied
    publish(services, (a, first), (b, mint(b, 10, y, 7)), (c, b"\xff\xfe not json"), (a, poison), (a, later),
            (c, mint(c, 13, y, 9)), (b, mint(b, 14, y, 1)), partition=0)
    # other contracts go on, including the one whose undecodable message was rejected
    wait_for(lambda: holding(db, b, y)[0] == 8 and holding(db, c, y)[0] == 9, what="the other contracts' events")
    wait_for(lambda: parked_events.get(db, later["id"]), what="the later event of the same contract held")
    assert holding(db, a, x)[0] == 100, "the contract stops before its parked event, a fold of the chain up to it"
    failed, held = parked_events.get(db, poison["id"]), parked_events.get(db, later["id"])
    assert failed["kind"] == "failed" and failed["address"] == a and "ValueError" in failed["error"]
    assert "Traceback" in failed["trace"] and "projections" in failed["trace"]
    assert held["kind"] == "held" and held["status"] == "parked"
    assert len(parked_events.waiting(db)) == 3, "only the poison, the event held behind it and the unreadable one"
    rejected = next(d for d in parked_events.waiting(db) if d["kind"] == "rejected")
    assert rejected["key"] == c and rejected["address"] is None
    letters = {d["parkedId"]: d for d in dead_letters(services, start, 2)}
    assert letters[poison["id"]]["message"]["id"] == poison["id"] and "Traceback" in letters[poison["id"]]["trace"]
    assert letters[rejected["_id"]]["error"] == "not a JSON object"
    assert later["id"] not in letters, "held events are not failures: they wait on the page, not in the DLQ"
    assert sync.poll() is None, "chain-sync is still running"

    stuck = flask_chain(services, "replay-parked")  # the cause is not fixed yet: nothing moves, nothing is lost
    assert stuck.returncode == 1 and f"still parked: {poison['id']}" in stuck.stdout
    assert parked_events.get(db, poison["id"])["attempts"] == 1 and holding(db, a, x)[0] == 100

    db.holdings.delete_one({"_id": holdings.holding_id(a, z)})  # staff repair the cause
    publish(services, (a, mint(a, 15, x, 1)))  # arrives while the line is held: it waits behind it, in order
    wait_for(lambda: len(parked_events.waiting(db, a)) == 3, what="the newest event held too")
    done = flask_chain(services, "replay-parked", "--contract", a)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "replayed 3 parked event(s)" in done.stdout
    assert holding(db, a, x)[0] == 106 and holding(db, a, z)[0] == 3
    assert not parked_contracts.held(db, [a])
    again = flask_chain(services, "replay-parked", "--contract", a)
    assert "replayed 0 parked event(s)" in again.stdout and holding(db, a, x)[0] == 106, "exactly once"
    publish(services, (a, mint(a, 16, x, 10)))  # the line is released: new events apply directly again
    wait_for(lambda: holding(db, a, x)[0] == 116, what="the released contract's next event")
    assert parked_events.get(db, poison["id"])["status"] == "replayed"


def test_reconcile_shows_what_is_parked_until_staff_discard_it(app, db, services, sync):
    token = Account.create().address
    malformed = {k: v for k, v in log(token, 30).items() if k != "blockHash"}
    publish(services, (token, malformed))
    wait_for(lambda: parked_events.get(db, malformed["id"]), what="the malformed message parked")
    report = flask_chain(services, "reconcile")
    assert report.returncode == 1, report.stdout + report.stderr
    assert f"parked rejected: {malformed['id']}" in report.stdout and "log message lacks blockHash" in report.stdout
    assert "1 parked event(s)" in report.stdout
    assert flask_chain(services, "discard-parked", malformed["id"], "--reason", "not a chain event").returncode == 0
    after = flask_chain(services, "reconcile")
    assert after.returncode == 0 and "0 parked event(s)" in after.stdout, after.stdout + after.stderr
    assert parked_events.get(db, malformed["id"])["closeNote"] == "not a chain event"


def test_a_busy_lock_is_retried_not_parked(app, db, services, sync, tmp_path):
    registry, wallet, identity = (Account.create().address for _ in range(3))
    offering_id, whitelist_id = ObjectId(), ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "identityRegistry": registry})
    db.whitelists.insert_one({"_id": whitelist_id, "offeringId": offering_id, "address": wallet, "status": "approved"})
    warm_up = Account.create().address
    publish(services, (warm_up, mint(warm_up, 19, wallet, 1)))
    wait_for(lambda: holding(db, warm_up, wallet)[0] == 1, what="chain-sync consuming")
    # a reviewer holds the request past chain-sync's wait (15 s): chain-sync's write of the registration meets Busy
    redis = redis_client.get(app.config)
    redis.set(f"lock:whitelist:{whitelist_id}", "a reviewer", px=120_000)
    publish(services, (registry, log(registry, 20, "IdentityRegistered", investorAddress=wallet, identity=identity)))
    chain_sync_log = (tmp_path / "chain-sync.log").read_text
    wait_for(lambda: "transient failure, batch retried" in chain_sync_log(), timeout=60, what="the busy lock retried")
    assert db.whitelists.find_one({"_id": whitelist_id}).get("onChainRegistered") is None
    assert parked_events.waiting(db) == [], "a busy lock parks nothing"
    redis.delete(f"lock:whitelist:{whitelist_id}")  # the reviewer is done
    wait_for(lambda: db.whitelists.find_one({"_id": whitelist_id}).get("onChainRegistered") is True, timeout=60,
             what="the whitelist written once the lock is free")
    assert parked_events.waiting(db) == [] and not parked_contracts.held(db, [registry])


def test_a_pause_met_by_a_busy_offering_lock_still_reaches_the_offering(app, db, services, sync, tmp_path):
    """The offering's pause mirror needs the offering's lock; chain-sync retries while it is busy, and the retry
    must not find the token's watermark already past the Paused event (it would skip the mirror for good)."""
    token, offering_id = Account.create().address, ObjectId()
    db.offerings.insert_one({"_id": offering_id, "status": "live", "tokenAddress": token, "tokenPaused": True})
    publish(services, (token, log(token, 30, "Unpaused", account=Account.create().address)))
    wait_for(lambda: (db.chainTokens.find_one({"_id": token}) or {}).get("paused") is False
             and db.offerings.find_one({"_id": offering_id})["tokenPaused"] is False, what="the unpause")
    redis = redis_client.get(app.config)
    redis.set(f"lock:offering:{offering_id}", "settlement", px=120_000)  # settlement counting a raise, say
    publish(services, (token, log(token, 31, "Paused", account=Account.create().address)))
    chain_sync_log = (tmp_path / "chain-sync.log").read_text
    wait_for(lambda: "transient failure, batch retried" in chain_sync_log(), timeout=60, what="the busy lock retried")
    redis.delete(f"lock:offering:{offering_id}")
    wait_for(lambda: db.offerings.find_one({"_id": offering_id}).get("tokenPaused") is True, timeout=60,
             what="the offering's pause mirror once the lock is free")
    assert db.chainTokens.find_one({"_id": token})["paused"] is True


def test_a_lock_that_stays_busy_is_transient_whatever_its_callers_call_it(app):
    redis_name = f"busy-{secrets.token_hex(4)}"
    with locks.locked(app.config, redis_name):
        try:
            with locks.locked(app.config, redis_name, busy=ValueError, wait_s=0.05):
                raise AssertionError("a held lock was taken twice")
        except ValueError as refused:
            assert is_transient(refused)
    try:
        with locks.locked(app.config, redis_name, busy=ValueError):
            raise ValueError("a handler's own refusal")
    except ValueError as own:
        assert not is_transient(own)


def test_admins_see_parked_events_with_their_error_and_others_cannot(app, db):
    app.test_client_class = BrowserClient
    token = Account.create().address
    message = mint(token, 40, Account.create().address, 1)
    parked_contracts.hold(db, token, message["id"])
    parked_events.park(db, {"_id": message["id"], "topic": CHAIN_EVENTS.name, "partition": 2, "offset": 41,
                            "key": token, "value": json.dumps(message), "address": token, "kind": "failed",
                            "error": "WriteError: Failed to apply $inc operations", "trace": "Traceback (most recent"})
    admin, subadmin = app.test_client(), app.test_client()
    assert login(admin, make_user("admin")).status_code == 303
    page = admin.get("/admin/parked-events/")
    assert page.status_code == 200
    assert message["id"] in page.text and "WriteError: Failed to apply $inc operations" in page.text
    assert "Stack trace" in page.text and token in page.text and "flask chain replay-parked" in page.text
    assert login(subadmin, make_user("subadmin", permissions=["orders", "kyc"])).status_code == 303
    assert subadmin.get("/admin/parked-events/").status_code == 403
    assert app.test_client().get("/admin/parked-events/").status_code in (302, 303)


class CuttableLink:
    """A TCP relay in front of FerretDB that the test cuts and restores: MongoDB unreachable for real."""

    def __init__(self, target_port: int):
        self.target, self.up, self.pairs = target_port, threading.Event(), []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up.set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target))
            self.pairs.append((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up.clear()
        for pair in self.pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
        self.pairs = []

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_mongodb_unreachable_is_retried_then_applied_not_parked(app, db, services, tmp_path):
    link = CuttableLink(int(services["MONGO_URI"].rstrip("/").rsplit(":", 1)[1]))
    sync = start_process(flask_argv("chain", "sync"), {**services, "MONGO_URI": f"mongodb://127.0.0.1:{link.port}/"},
                         "chain-sync", tmp_path)
    try:
        token, wallet = Account.create().address, Account.create().address
        publish(services, (token, mint(token, 50, wallet, 4)))
        wait_for(lambda: holding(db, token, wallet)[0] == 4, what="chain-sync consuming through the link")
        link.cut()
        publish(services, (token, mint(token, 51, wallet, 6)))
        wait_for(lambda: "transient failure, batch retried" in (tmp_path / "chain-sync.log").read_text(), timeout=60,
                 what="chain-sync meeting MongoDB down")
        assert holding(db, token, wallet)[0] == 4
        link.up.set()  # MongoDB is back
        wait_for(lambda: holding(db, token, wallet)[0] == 10, timeout=90, what="the event applied after the outage")
        assert parked_events.waiting(db) == [] and sync.poll() is None
    finally:
        stop_process(sync)
        link.close()
