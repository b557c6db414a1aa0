"""Chain sync: the `chain-sync` consumer group applying `chain.events` to MongoDB.

Offsets are committed only after the batch is written, so a crash replays messages, and
every write is idempotent (keyed by event id), so a replay changes nothing.

One bad event never stops it (app/events/failures.py tells which failures are which):
- transient (MongoDB, Redis or Kafka unreachable or timing out, a lock still busy): the
  batch is rewound, nothing is committed, and it is tried again with a growing delay
  (0.5 s doubling to 30 s), so no message is lost and none is parked for it;
- permanent (anything else): the failing batch is narrowed down by halves until the one
  message that fails is found; that message, its error and its stack trace go to
  `chain.events.dlq` and to the `parkedEvents` collection staff see at /admin/parked-events,
  its contract's later events are held behind it (app/events/parking.py says why), and the
  consumer goes on with everything else. `flask chain replay-parked` applies them later.
Undecodable or malformed messages are parked and dead-lettered the same way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from dataclasses import dataclass

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from app.events import parking
from app.events.failures import is_transient
from app.events.handlers import apply_chain_messages, problem
from app.events.topics import CHAIN_EVENTS, CHAIN_EVENTS_DLQ

log = logging.getLogger(__name__)

GROUP_ID = "chain-sync"


def make_consumer(bootstrap_servers: str, group_id: str = GROUP_ID) -> KafkaConsumer:
    # A short session timeout keeps rebalances (deploys, crashes) to seconds instead of 45 s.
    return KafkaConsumer(CHAIN_EVENTS.name, bootstrap_servers=bootstrap_servers.split(","), group_id=group_id,
                         client_id="chain-sync", enable_auto_commit=False, auto_offset_reset="earliest",
                         session_timeout_ms=10000, heartbeat_interval_ms=2000, max_poll_records=1000)


@dataclass
class Backoff:
    """Delays between retries of a batch that failed transiently: `first` doubling up to `cap`."""

    first: float = 0.5
    cap: float = 30.0
    current: float = 0.0

    def next(self) -> float:
        self.current = min(self.cap, self.current * 2 if self.current else self.first)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


def _decode(raw: bytes) -> dict | None:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


class Sync:
    """Applies one partition's records: rejects, holds, applies, narrows a failing batch down."""

    def __init__(self, db, send, config: dict | None = None):
        self.db, self.send, self.config = db, send, config

    def apply_records(self, records) -> None:
        valid = []
        for record in records:
            message = _decode(record.value)
            key = record.key.decode("utf-8", "replace") if isinstance(record.key, bytes) else record.key
            where = parking.Where(record.topic, record.partition, record.offset, key)
            why = "not a JSON object" if message is None else problem(message)
            if why:
                parking.reject(self.db, self.send, CHAIN_EVENTS_DLQ.name, where, record.value, why)
            else:
                valid.append((where, message))
        self._apply(valid, parking.held(self.db, {m["address"] for _, m in valid}))

    def _apply(self, items: list, held: set[str]) -> None:
        """Apply in order; on a permanent failure apply each half in turn until the failing message is alone."""
        todo = []
        for where, message in items:
            if message["address"] in held:
                if parking.hold(self.config, self.db, where, message):
                    continue
                held.discard(message["address"])  # a replay emptied the line meanwhile
            todo.append((where, message))
        if not todo:
            return
        try:
            apply_chain_messages(self.db, [m for _, m in todo])
        except Exception as error:  # classified: retried (raised) or narrowed down and parked
            if is_transient(error):
                raise
            if len(todo) > 1:
                middle = len(todo) // 2
                self._apply(todo[:middle], held)
                self._apply(todo[middle:], held)
                return
            where, message = todo[0]
            parking.fail(self.config, self.db, self.send, CHAIN_EVENTS_DLQ.name, where, message, error)
            held.add(message["address"])


def _rewind(consumer: KafkaConsumer, batch: dict) -> None:
    """Back to the first record of each partition of the batch, so the next poll returns it again."""
    for partition, records in batch.items():
        # no longer ours after a rebalance: its new owner reads it from the last commit
        with contextlib.suppress(KafkaError, AssertionError):
            consumer.seek(partition, records[0].offset)


def _commit(consumer: KafkaConsumer) -> None:
    try:
        consumer.commit()
    except KafkaError as error:  # a rebalance took the partitions: their new owner re-applies (idempotent)
        log.warning("chain-sync commit failed, the batch will be applied again: %s", error)


def run(consumer: KafkaConsumer, db, send, flush, stop: threading.Event, config: dict | None = None,
        backoff: Backoff | None = None) -> None:
    """Poll, apply, commit; until `stop` is set. Transient failures rewind and retry the batch after a delay."""
    sync, backoff = Sync(db, send, config), backoff or Backoff()
    while not stop.is_set():
        batch = consumer.poll(timeout_ms=500)
        if not batch:
            continue
        try:
            for records in batch.values():
                sync.apply_records(records)
            flush()
        except Exception as error:  # only transient ones are retried; anything else is raised
            if not is_transient(error):
                raise
            delay = backoff.next()
            log.warning("chain-sync: transient failure, batch retried in %.1f s (nothing committed): %s: %s",
                        delay, type(error).__name__, error)
            _rewind(consumer, batch)
            stop.wait(delay)
            continue
        _commit(consumer)
        backoff.reset()
    consumer.close()
