"""Chain sync: the `chain-sync` consumer group applying `chain.events` to MongoDB.

Offsets are committed only after the batch is written, so a crash replays messages, and
every write is idempotent (keyed by event id), so a replay changes nothing. A message
that cannot be applied goes to `chain.events.dlq` with its error, and the group moves on.
"""

from __future__ import annotations

import json
import logging
import threading

from kafka import KafkaConsumer

from app.events.handlers import apply_chain_messages
from app.events.topics import CHAIN_EVENTS, CHAIN_EVENTS_DLQ

log = logging.getLogger(__name__)

GROUP_ID = "chain-sync"


def make_consumer(bootstrap_servers: str, group_id: str = GROUP_ID) -> KafkaConsumer:
    # A short session timeout keeps rebalances (deploys, crashes) to seconds instead of 45 s.
    return KafkaConsumer(CHAIN_EVENTS.name, bootstrap_servers=bootstrap_servers.split(","), group_id=group_id,
                         client_id="chain-sync", enable_auto_commit=False, auto_offset_reset="earliest",
                         session_timeout_ms=10000, heartbeat_interval_ms=2000, max_poll_records=1000)


def _decode(raw: bytes) -> dict | None:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _dead_letter(send, key, message, error: str) -> None:
    log.error("chain event sent to DLQ: %s", error)
    send(CHAIN_EVENTS_DLQ.name, key if isinstance(key, str) else None,
         {"message": message, "error": error, "topic": CHAIN_EVENTS.name})


def run(consumer: KafkaConsumer, db, send, flush, stop: threading.Event) -> None:
    """Poll, apply, commit; until `stop` is set."""
    while not stop.is_set():
        batch = consumer.poll(timeout_ms=500)
        if not batch:
            continue
        for records in batch.values():
            messages = [_decode(r.value) for r in records]
            unreadable = [r for r, m in zip(records, messages, strict=True) if m is None]
            for record in unreadable:
                _dead_letter(send, record.key, record.value.decode("utf-8", "replace"), "not a JSON object")
            for message, error in apply_chain_messages(db, [m for m in messages if m is not None]):
                _dead_letter(send, message.get("address"), message, error)
        flush()
        consumer.commit()
    consumer.close()
